using System.Buffers;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Core.Serialization;

/// <summary>
/// The normalized-event NDJSON format (docs/schema/normalized-events.md, version 1): one event per
/// line, written by `barometer normalize` and read back by `barometer replay`. Times are integer
/// UTC microseconds; quantities are base-asset; NaN (absent) values are written as null.
/// </summary>
public static class NormalizedEventJson
{
    /// <summary>Schema version written in every line ("v").</summary>
    public const int Version = 1;

    /// <summary>Writes one event as a JSON object (no newline).</summary>
    public static void Write(Utf8JsonWriter writer, in MarketEvent e)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber(N.V, Version);
        if ((uint)e.Kind < (uint)N.KindValues.Length)
        {
            writer.WriteString(N.Kind, N.KindValues[(int)e.Kind]);
        }
        else
        {
            writer.WriteString(N.Kind, e.Kind.ToWireName());
        }

        writer.WriteString(N.Venue, N.VenueValues[(int)e.Venue]);
        if (e.Instrument is { } instrument)
        {
            writer.WriteString(N.Symbol, instrument.VenueSymbol);
            writer.WriteString(N.Base, instrument.Base);
            writer.WriteString(N.Quote, instrument.Quote);
        }

        writer.WriteNumber(N.ExchangeTimeUs, e.ExchangeTime);
        writer.WriteNumber(N.ReceiveTimeUs, e.ReceiveTime);
        switch (e.Kind)
        {
            case EventKind.Trade:
                var trade = e.AsTrade();
                Number(writer, N.Price, trade.Price);
                Number(writer, N.Quantity, trade.Quantity);
                writer.WriteString(N.Side, N.SideValues[trade.AggressorSide is Side.Buy ? 1 : trade.AggressorSide is Side.Sell ? 2 : 0]);
                Span<byte> id = stackalloc byte[TradeId.MaxUtf8Length];
                writer.WriteString(N.TradeId, trade.Id.TryFormatUtf8(id, out int idLength) ? id[..idLength] : []);
                Number(writer, N.NotionalUsd, trade.NotionalUsd);
                break;
            case EventKind.Liquidation:
                var liquidation = e.AsLiquidation();
                Number(writer, N.Price, liquidation.Price);
                Number(writer, N.Quantity, liquidation.Quantity);
                writer.WriteString(N.LiquidatedSide, liquidation.LiquidatedSide == PositionSide.Long ? "long" : liquidation.LiquidatedSide == PositionSide.Short ? "short" : "unknown");
                writer.WriteString(N.OrderSide, SideName(liquidation.OrderSide));
                writer.WriteString(N.Completeness, liquidation.Completeness == FeedCompleteness.Sampled ? "sampled" : "complete");
                Number(writer, N.NotionalUsd, liquidation.NotionalUsd);
                break;
            case EventKind.BookTop:
                var top = e.AsBookTop();
                Number(writer, N.BidPrice, top.BidPrice);
                Number(writer, N.BidSize, top.BidSize);
                Number(writer, N.AskPrice, top.AskPrice);
                Number(writer, N.AskSize, top.AskSize);
                writer.WriteNumber(N.UpdateId, top.UpdateId);
                break;
            case EventKind.BookUpdate:
                var book = e.AsBookUpdate();
                writer.WriteBoolean(N.Snapshot, book.IsSnapshot);
                writer.WriteNumber(N.FirstUpdateId, book.FirstUpdateId);
                writer.WriteNumber(N.LastUpdateId, book.LastUpdateId);
                writer.WriteNumber(N.PreviousUpdateId, book.PreviousUpdateId);
                Number(writer, N.TickSize, book.Instrument.TickSize);
                Levels(writer, N.Bids, book.Bids);
                Levels(writer, N.Asks, book.Asks);
                break;
            case EventKind.Funding:
                var funding = e.AsFunding();
                Number(writer, N.Rate, funding.Rate);
                Number(writer, N.IntervalHours, funding.IntervalHours);
                writer.WriteNumber(N.NextFundingTimeUs, funding.NextFundingTime);
                Number(writer, N.MarkPrice, funding.MarkPrice);
                Number(writer, N.IndexPrice, funding.IndexPrice);
                break;
            case EventKind.OpenInterest:
                var interest = e.AsOpenInterest();
                Number(writer, N.Quantity, interest.Quantity);
                Number(writer, N.NotionalUsd, interest.NotionalUsd);
                break;
            case EventKind.ConnectionStatus:
                var status = e.AsConnectionStatus();
                writer.WriteString(N.Stream, status.Stream);
                writer.WriteString(N.State, StateName(status.State));
                writer.WriteString(N.Reason, status.Reason);
                break;
            case EventKind.DataGap:
                var gap = e.AsDataGap();
                writer.WriteString(N.Stream, gap.Stream);
                writer.WriteNumber(N.StartUs, gap.Start);
                writer.WriteNumber(N.EndUs, gap.End);
                writer.WriteString(N.Cause, CauseName(gap.Cause));
                writer.WriteString(N.Detail, gap.Detail);
                break;
            case EventKind.Alert:
                var alert = e.AsAlert();
                writer.WriteString(N.AlertId, alert.Id);
                writer.WriteString(N.AlertType, alert.Type);
                writer.WriteString(N.Asset, alert.Asset);
                writer.WriteString(N.Phase, alert.Phase switch { AlertPhase.Opened => "opened", AlertPhase.Updated => "updated", AlertPhase.Closed => "closed", _ => alert.Phase.ToString().ToLowerInvariant() });
                writer.WriteString(N.Severity, alert.Severity);
                writer.WriteString(N.Message, alert.Message);
                break;
        }

        writer.WriteEndObject();
    }

    /// <summary>One event as a JSON line (with a trailing newline).</summary>
    public static string ToLine(in MarketEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, e);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    /// <summary>
    /// Parses one line. Instruments are registered in <paramref name="registry"/> on first sight.
    /// Returns false with a reason for anything that is not a valid version-1 event (alerts are
    /// not read back: they are outputs of analytics, recomputed on replay).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, InstrumentRegistry registry, out MarketEvent e, out string reason)
    {
        ArgumentNullException.ThrowIfNull(registry);
        e = default;
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = "not a JSON object";
                return false;
            }

            if (!root.TryGetProperty("v", out var v) || v.GetInt32() != Version)
            {
                reason = "missing or unsupported version \"v\"";
                return false;
            }

            if (!EventKinds.TryParse(Str(root, "kind"), out var kind))
            {
                reason = "unknown kind";
                return false;
            }

            if (!VenueIds.TryParse(Str(root, "venue"), out var venue))
            {
                reason = "unknown venue";
                return false;
            }

            long exchangeTime = root.GetProperty("exchange_time_us").GetInt64();
            long receiveTime = root.GetProperty("receive_time_us").GetInt64();
            Instrument? instrument = null;
            if (root.TryGetProperty("symbol", out var symbol))
            {
                double tick = kind == EventKind.BookUpdate ? Num(root, "tick_size") : 1e-8;
                instrument = registry.GetOrAdd(venue, Str(root, "base") ?? "?", Str(root, "quote") ?? "?", symbol.GetString()!,
                    1.0, double.IsFinite(tick) && tick > 0 ? tick : 1e-8);
            }

            if (instrument is null && kind is not (EventKind.ConnectionStatus or EventKind.DataGap))
            {
                reason = "missing symbol";
                return false;
            }

            switch (kind)
            {
                case EventKind.Trade:
                    e = MarketEvent.From(new Trade(instrument!, exchangeTime, receiveTime, Num(root, "price"), Num(root, "quantity"),
                        ParseSide(Str(root, "side")), TradeId.Parse(System.Text.Encoding.UTF8.GetBytes(Str(root, "trade_id") ?? string.Empty))));
                    break;
                case EventKind.Liquidation:
                    e = MarketEvent.From(new Liquidation(instrument!, exchangeTime, receiveTime, Num(root, "price"), Num(root, "quantity"),
                        Str(root, "liquidated_side") switch { "long" => PositionSide.Long, "short" => PositionSide.Short, _ => PositionSide.Unknown },
                        ParseSide(Str(root, "order_side")),
                        Str(root, "completeness") == "sampled" ? FeedCompleteness.Sampled : FeedCompleteness.Complete));
                    break;
                case EventKind.BookTop:
                    e = MarketEvent.From(new BookTop(instrument!, exchangeTime, receiveTime, Num(root, "bid_price"), Num(root, "bid_size"),
                        Num(root, "ask_price"), Num(root, "ask_size"), root.GetProperty("update_id").GetInt64()));
                    break;
                case EventKind.BookUpdate:
                    e = MarketEvent.From(new BookUpdate(instrument!, exchangeTime, receiveTime, root.GetProperty("snapshot").GetBoolean(),
                        root.GetProperty("first_update_id").GetInt64(), root.GetProperty("last_update_id").GetInt64(),
                        root.GetProperty("previous_update_id").GetInt64(), ReadLevels(root, "bids", instrument!), ReadLevels(root, "asks", instrument!)));
                    break;
                case EventKind.Funding:
                    e = MarketEvent.From(new Funding(instrument!, exchangeTime, receiveTime, Num(root, "rate"), Num(root, "interval_hours"),
                        root.GetProperty("next_funding_time_us").GetInt64(), Num(root, "mark_price"), Num(root, "index_price")));
                    break;
                case EventKind.OpenInterest:
                    e = MarketEvent.From(new OpenInterest(instrument!, exchangeTime, receiveTime, Num(root, "quantity"), Num(root, "notional_usd")));
                    break;
                case EventKind.ConnectionStatus:
                    if (!TryParseState(Str(root, "state"), out var state))
                    {
                        reason = "unknown state";
                        return false;
                    }

                    e = MarketEvent.From(new ConnectionStatus(venue, instrument, Str(root, "stream") ?? string.Empty, exchangeTime, state, Str(root, "reason") ?? string.Empty));
                    break;
                case EventKind.DataGap:
                    e = MarketEvent.From(new DataGap(venue, instrument, Str(root, "stream") ?? string.Empty, root.GetProperty("start_us").GetInt64(),
                        root.GetProperty("end_us").GetInt64(), ParseCause(Str(root, "cause")), Str(root, "detail") ?? string.Empty));
                    break;
                default:
                    reason = "alerts are analytics output and are not replayed";
                    return false;
            }

            reason = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            reason = "malformed: " + ex.Message;
            return false;
        }
    }

    /// <summary>The wire name of a side.</summary>
    public static string SideName(Side side) => side switch { Side.Buy => "buy", Side.Sell => "sell", _ => "unknown" };

    /// <summary>The wire name of a connection state.</summary>
    public static string StateName(ConnectionState state) => state switch
    {
        ConnectionState.Connecting => "connecting",
        ConnectionState.Subscribed => "subscribed",
        ConnectionState.Stale => "stale",
        ConnectionState.Disconnected => "disconnected",
        _ => "resyncing",
    };

    /// <summary>The wire name of a gap cause.</summary>
    public static string CauseName(GapCause cause) => cause switch
    {
        GapCause.Disconnect => "disconnect",
        GapCause.SequenceGap => "sequence_gap",
        GapCause.Stale => "stale",
        GapCause.ChecksumMismatch => "checksum_mismatch",
        _ => "overflow",
    };

    private static bool TryParseState(string? text, out ConnectionState state)
    {
        for (var s = ConnectionState.Connecting; s <= ConnectionState.Resyncing; s++)
        {
            if (StateName(s) == text)
            {
                state = s;
                return true;
            }
        }

        state = default;
        return false;
    }

    private static GapCause ParseCause(string? text)
    {
        for (var c = GapCause.Disconnect; c <= GapCause.Overflow; c++)
        {
            if (CauseName(c) == text)
            {
                return c;
            }
        }

        return GapCause.Disconnect;
    }

    private static Side ParseSide(string? text) => text switch { "buy" => Side.Buy, "sell" => Side.Sell, _ => Side.Unknown };

    private static string? Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double Num(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.NaN;

    private static BookLevel[] ReadLevels(JsonElement root, string name, Instrument instrument)
    {
        var array = root.GetProperty(name);
        var levels = new BookLevel[array.GetArrayLength()];
        int i = 0;
        foreach (var level in array.EnumerateArray())
        {
            double price = level[0].GetDouble();
            levels[i++] = new BookLevel(instrument.ToTicks(price), price, level[1].GetDouble());
        }

        return levels;
    }

    private static void Number(Utf8JsonWriter writer, JsonEncodedText name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void Levels(Utf8JsonWriter writer, JsonEncodedText name, BookLevel[] levels)
    {
        writer.WriteStartArray(name);
        foreach (var level in levels)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(level.Price);
            writer.WriteNumberValue(level.Quantity);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    /// <summary>Property names, encoded once (the bytes are the same as writing the strings).</summary>
    private static class N
    {
        /// <summary>Kind wire names by <see cref="EventKind"/> value.</summary>
        public static readonly JsonEncodedText[] KindValues = Encode(Enumerable.Range(0, (int)EventKind.Alert + 1).Select(k => ((EventKind)k).ToWireName()));

        /// <summary>Venue wire names by <see cref="VenueId"/> value.</summary>
        public static readonly JsonEncodedText[] VenueValues = Encode(VenueIds.All.Select(v => v.ToWireName()));

        /// <summary>Side names: unknown, buy, sell.</summary>
        public static readonly JsonEncodedText[] SideValues = Encode([SideName(Events.Side.Unknown), SideName(Events.Side.Buy), SideName(Events.Side.Sell)]);

        public static readonly JsonEncodedText AlertId = JsonEncodedText.Encode("alert_id");
        public static readonly JsonEncodedText AlertType = JsonEncodedText.Encode("alert_type");
        public static readonly JsonEncodedText AskPrice = JsonEncodedText.Encode("ask_price");
        public static readonly JsonEncodedText AskSize = JsonEncodedText.Encode("ask_size");
        public static readonly JsonEncodedText Asks = JsonEncodedText.Encode("asks");
        public static readonly JsonEncodedText Asset = JsonEncodedText.Encode("asset");
        public static readonly JsonEncodedText Base = JsonEncodedText.Encode("base");
        public static readonly JsonEncodedText BidPrice = JsonEncodedText.Encode("bid_price");
        public static readonly JsonEncodedText BidSize = JsonEncodedText.Encode("bid_size");
        public static readonly JsonEncodedText Bids = JsonEncodedText.Encode("bids");
        public static readonly JsonEncodedText Cause = JsonEncodedText.Encode("cause");
        public static readonly JsonEncodedText Completeness = JsonEncodedText.Encode("completeness");
        public static readonly JsonEncodedText Detail = JsonEncodedText.Encode("detail");
        public static readonly JsonEncodedText EndUs = JsonEncodedText.Encode("end_us");
        public static readonly JsonEncodedText ExchangeTimeUs = JsonEncodedText.Encode("exchange_time_us");
        public static readonly JsonEncodedText FirstUpdateId = JsonEncodedText.Encode("first_update_id");
        public static readonly JsonEncodedText IndexPrice = JsonEncodedText.Encode("index_price");
        public static readonly JsonEncodedText IntervalHours = JsonEncodedText.Encode("interval_hours");
        public static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
        public static readonly JsonEncodedText LastUpdateId = JsonEncodedText.Encode("last_update_id");
        public static readonly JsonEncodedText LiquidatedSide = JsonEncodedText.Encode("liquidated_side");
        public static readonly JsonEncodedText MarkPrice = JsonEncodedText.Encode("mark_price");
        public static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
        public static readonly JsonEncodedText NextFundingTimeUs = JsonEncodedText.Encode("next_funding_time_us");
        public static readonly JsonEncodedText NotionalUsd = JsonEncodedText.Encode("notional_usd");
        public static readonly JsonEncodedText OrderSide = JsonEncodedText.Encode("order_side");
        public static readonly JsonEncodedText Phase = JsonEncodedText.Encode("phase");
        public static readonly JsonEncodedText PreviousUpdateId = JsonEncodedText.Encode("previous_update_id");
        public static readonly JsonEncodedText Price = JsonEncodedText.Encode("price");
        public static readonly JsonEncodedText Quantity = JsonEncodedText.Encode("quantity");
        public static readonly JsonEncodedText Quote = JsonEncodedText.Encode("quote");
        public static readonly JsonEncodedText Rate = JsonEncodedText.Encode("rate");
        public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
        public static readonly JsonEncodedText ReceiveTimeUs = JsonEncodedText.Encode("receive_time_us");
        public static readonly JsonEncodedText Severity = JsonEncodedText.Encode("severity");
        public static readonly JsonEncodedText Side = JsonEncodedText.Encode("side");
        public static readonly JsonEncodedText Snapshot = JsonEncodedText.Encode("snapshot");
        public static readonly JsonEncodedText StartUs = JsonEncodedText.Encode("start_us");
        public static readonly JsonEncodedText State = JsonEncodedText.Encode("state");
        public static readonly JsonEncodedText Stream = JsonEncodedText.Encode("stream");
        public static readonly JsonEncodedText Symbol = JsonEncodedText.Encode("symbol");
        public static readonly JsonEncodedText TickSize = JsonEncodedText.Encode("tick_size");
        public static readonly JsonEncodedText TradeId = JsonEncodedText.Encode("trade_id");
        public static readonly JsonEncodedText UpdateId = JsonEncodedText.Encode("update_id");
        public static readonly JsonEncodedText V = JsonEncodedText.Encode("v");
        public static readonly JsonEncodedText Venue = JsonEncodedText.Encode("venue");

        private static JsonEncodedText[] Encode(IEnumerable<string> values) => values.Select(v => JsonEncodedText.Encode(v)).ToArray();
    }
}
