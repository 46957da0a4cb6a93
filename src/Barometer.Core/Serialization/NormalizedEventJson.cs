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
        writer.WriteNumber("v", Version);
        writer.WriteString("kind", e.Kind.ToWireName());
        writer.WriteString("venue", e.Venue.ToWireName());
        if (e.Instrument is { } instrument)
        {
            writer.WriteString("symbol", instrument.VenueSymbol);
            writer.WriteString("base", instrument.Base);
            writer.WriteString("quote", instrument.Quote);
        }

        writer.WriteNumber("exchange_time_us", e.ExchangeTime);
        writer.WriteNumber("receive_time_us", e.ReceiveTime);
        switch (e.Kind)
        {
            case EventKind.Trade:
                var trade = e.AsTrade();
                Number(writer, "price", trade.Price);
                Number(writer, "quantity", trade.Quantity);
                writer.WriteString("side", SideName(trade.AggressorSide));
                Span<byte> id = stackalloc byte[TradeId.MaxUtf8Length];
                writer.WriteString("trade_id", trade.Id.TryFormatUtf8(id, out int idLength) ? id[..idLength] : []);
                Number(writer, "notional_usd", trade.NotionalUsd);
                break;
            case EventKind.Liquidation:
                var liquidation = e.AsLiquidation();
                Number(writer, "price", liquidation.Price);
                Number(writer, "quantity", liquidation.Quantity);
                writer.WriteString("liquidated_side", liquidation.LiquidatedSide == PositionSide.Long ? "long" : liquidation.LiquidatedSide == PositionSide.Short ? "short" : "unknown");
                writer.WriteString("order_side", SideName(liquidation.OrderSide));
                writer.WriteString("completeness", liquidation.Completeness == FeedCompleteness.Sampled ? "sampled" : "complete");
                Number(writer, "notional_usd", liquidation.NotionalUsd);
                break;
            case EventKind.BookTop:
                var top = e.AsBookTop();
                Number(writer, "bid_price", top.BidPrice);
                Number(writer, "bid_size", top.BidSize);
                Number(writer, "ask_price", top.AskPrice);
                Number(writer, "ask_size", top.AskSize);
                writer.WriteNumber("update_id", top.UpdateId);
                break;
            case EventKind.BookUpdate:
                var book = e.AsBookUpdate();
                writer.WriteBoolean("snapshot", book.IsSnapshot);
                writer.WriteNumber("first_update_id", book.FirstUpdateId);
                writer.WriteNumber("last_update_id", book.LastUpdateId);
                writer.WriteNumber("previous_update_id", book.PreviousUpdateId);
                Number(writer, "tick_size", book.Instrument.TickSize);
                Levels(writer, "bids", book.Bids);
                Levels(writer, "asks", book.Asks);
                break;
            case EventKind.Funding:
                var funding = e.AsFunding();
                Number(writer, "rate", funding.Rate);
                Number(writer, "interval_hours", funding.IntervalHours);
                writer.WriteNumber("next_funding_time_us", funding.NextFundingTime);
                Number(writer, "mark_price", funding.MarkPrice);
                Number(writer, "index_price", funding.IndexPrice);
                break;
            case EventKind.OpenInterest:
                var interest = e.AsOpenInterest();
                Number(writer, "quantity", interest.Quantity);
                Number(writer, "notional_usd", interest.NotionalUsd);
                break;
            case EventKind.ConnectionStatus:
                var status = e.AsConnectionStatus();
                writer.WriteString("stream", status.Stream);
                writer.WriteString("state", StateName(status.State));
                writer.WriteString("reason", status.Reason);
                break;
            case EventKind.DataGap:
                var gap = e.AsDataGap();
                writer.WriteString("stream", gap.Stream);
                writer.WriteNumber("start_us", gap.Start);
                writer.WriteNumber("end_us", gap.End);
                writer.WriteString("cause", CauseName(gap.Cause));
                writer.WriteString("detail", gap.Detail);
                break;
            case EventKind.Alert:
                var alert = e.AsAlert();
                writer.WriteString("alert_id", alert.Id);
                writer.WriteString("alert_type", alert.Type);
                writer.WriteString("asset", alert.Asset);
                writer.WriteString("phase", alert.Phase switch { AlertPhase.Opened => "opened", AlertPhase.Updated => "updated", AlertPhase.Closed => "closed", _ => alert.Phase.ToString().ToLowerInvariant() });
                writer.WriteString("severity", alert.Severity);
                writer.WriteString("message", alert.Message);
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

    private static void Number(Utf8JsonWriter writer, string name, double value)
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

    private static void Levels(Utf8JsonWriter writer, string name, BookLevel[] levels)
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
}
