using Barometer.Core.Instruments;

namespace Barometer.Venues.Binance;

/// <summary>
/// Binance symbol helpers: payload symbols are upper case (BTCUSDT), stream names lower case
/// (btcusdt@aggTrade). The same string names a spot pair and a USD-M perpetual; the venue id
/// (host) tells them apart.
/// </summary>
public static class BinanceSymbols
{
    // Longest first so that FDUSD wins over USD, USDT over USD.
    private static readonly string[] QuoteSuffixes =
    [
        "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "BIDR", "IDRT",
        "BTC", "ETH", "BNB", "TRY", "EUR", "RUB", "BRL", "GBP", "AUD", "JPY", "UAH", "NGN", "ZAR",
        "PLN", "RON", "ARS", "MXN", "COP", "CZK", "DAI", "XRP", "TRX", "DOT", "USD",
    ];

    /// <summary>
    /// Splits a symbol into base and quote by the known quote suffixes (delivery suffixes such as
    /// "_260327" are ignored). Used only where exchangeInfo metadata is unavailable (the
    /// `normalize` verb); returns false when no known quote matches.
    /// </summary>
    public static bool TrySplit(string symbol, out string baseAsset, out string quoteAsset)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        string core = symbol;
        int underscore = core.IndexOf('_', StringComparison.Ordinal);
        if (underscore > 0)
        {
            core = core[..underscore];
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

    /// <summary>Stream name of a symbol and channel, e.g. ("BTCUSDT", "aggTrade") → "btcusdt@aggTrade".</summary>
    public static string StreamName(string symbol, string channel)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return symbol.ToLowerInvariant() + "@" + channel;
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
            bool ok = b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_';
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
