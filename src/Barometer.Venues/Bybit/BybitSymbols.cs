using Barometer.Core.Instruments;

namespace Barometer.Venues.Bybit;

/// <summary>
/// Bybit V5 symbol helpers. Symbols are upper case and the same in topics and payloads
/// (publicTrade.BTCUSDT). The same string names a spot pair and a linear perpetual; the venue
/// (WS path /v5/public/spot or /v5/public/linear, REST category) tells them apart. USDC
/// perpetuals are named BASE + "PERP" (BTCPERP), USDT futures BTCUSDT-21FEB25, USDC futures
/// BTC-24MAR23 (Bybit enum docs).
/// </summary>
public static class BybitSymbols
{
    // Longest first so that USDT/USDC/USDE win over USD.
    private static readonly string[] QuoteSuffixes =
    [
        "USDT", "USDC", "USDE", "USDQ", "USDR", "FDUSD", "PYUSD",
        "BTC", "ETH", "EUR", "BRL", "TRY", "PLN", "DAI", "MNT", "USD",
    ];

    /// <summary>
    /// Splits a symbol into base and quote: "BTCUSDT" → BTC/USDT, "BTCPERP" → BTC/USDC,
    /// "BTCUSDT-21FEB25" → BTC/USDT, "BTC-24MAR23" → BTC/USDC. Used only where instruments-info
    /// metadata is unavailable (the `normalize` verb); returns false when no known quote matches.
    /// </summary>
    public static bool TrySplit(string symbol, out string baseAsset, out string quoteAsset)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        string core = symbol;
        int dash = core.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            core = core[..dash];
            bool hasQuote = false;
            foreach (string q in QuoteSuffixes)
            {
                hasQuote |= core.Length > q.Length && core.EndsWith(q, StringComparison.Ordinal);
            }

            if (!hasQuote)
            {
                // USDC futures: BTC-24MAR23.
                baseAsset = core;
                quoteAsset = "USDC";
                return true;
            }
        }

        if (core.Length > 4 && core.EndsWith("PERP", StringComparison.Ordinal))
        {
            baseAsset = core[..^4];
            quoteAsset = "USDC";
            return true;
        }

        foreach (string quote in QuoteSuffixes)
        {
            if (core.Length > quote.Length && core.EndsWith(quote, StringComparison.Ordinal))
            {
                baseAsset = core[..^quote.Length];
                quoteAsset = quote;
                return true;
            }
        }

        baseAsset = core;
        quoteAsset = string.Empty;
        return false;
    }

    /// <summary>A V5 topic, e.g. ("publicTrade", "BTCUSDT") → "publicTrade.BTCUSDT"; ("orderbook.50", "BTCUSDT") → "orderbook.50.BTCUSDT".</summary>
    public static string Topic(string channel, string symbol)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(symbol);
        return channel + "." + symbol;
    }

    /// <summary>
    /// Resolves (and, when <paramref name="register"/>, registers on first sight) the instrument
    /// of a payload symbol. Allocation-free when the symbol is already registered.
    /// </summary>
    internal static bool TryResolve(InstrumentRegistry registry, VenueId venue, ReadOnlySpan<byte> symbolUtf8, bool register, out Instrument instrument)
    {
        if (registry.TryGet(venue, symbolUtf8, out instrument))
        {
            return true;
        }

        if (!register || symbolUtf8.IsEmpty || symbolUtf8.Length > 64)
        {
            return false;
        }

        foreach (byte b in symbolUtf8)
        {
            bool ok = b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-';
            if (!ok)
            {
                return false;
            }
        }

        string symbol = System.Text.Encoding.ASCII.GetString(symbolUtf8);
        TrySplit(symbol, out string baseAsset, out string quoteAsset);
        instrument = registry.GetOrAdd(venue, baseAsset, quoteAsset.Length == 0 ? "UNKNOWN" : quoteAsset, symbol);
        return true;
    }
}
