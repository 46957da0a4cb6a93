using System.Globalization;
using Barometer.Core.Time;
using Microsoft.AspNetCore.Http;

namespace Barometer.Server.Api;

/// <summary>
/// Reads the query parameters of one request strictly: an unknown or repeated parameter is a 400
/// naming it, and so is every value that does not parse. <c>api_key</c> is always allowed (it is
/// checked before the endpoint runs).
/// </summary>
internal sealed class QueryReader
{
    /// <summary>The most hours any history range may cover (30 days).</summary>
    public const double MaxHours = 720;

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd",
    ];

    private readonly IQueryCollection _query;

    public QueryReader(IQueryCollection query, params string[] allowed)
    {
        _query = query;
        foreach (var (name, values) in query)
        {
            if (!string.Equals(name, "api_key", StringComparison.Ordinal) && Array.IndexOf(allowed, name) < 0)
            {
                string known = allowed.Length == 0 ? "this endpoint takes no parameters" : "known: " + string.Join(", ", allowed);
                throw ApiProblem.BadParameter(name, $"unknown query parameter ({known})");
            }

            if (values.Count > 1)
            {
                throw ApiProblem.BadParameter(name, "given more than once");
            }
        }
    }

    /// <summary>The raw value, or null when absent; an empty value is a 400.</summary>
    public string? Text(string name)
    {
        if (!_query.TryGetValue(name, out var values))
        {
            return null;
        }

        string value = values.ToString();
        if (value.Length == 0)
        {
            throw ApiProblem.BadParameter(name, "is empty");
        }

        if (value.Length > 200)
        {
            throw ApiProblem.BadParameter(name, "is longer than 200 characters");
        }

        return value;
    }

    /// <summary>A number of hours, 0 &lt; hours ≤ 720 (fractions allowed); the default when absent.</summary>
    public double Hours(string name, double defaultValue)
    {
        string? text = Text(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double hours) || !(hours > 0) || hours > MaxHours)
        {
            throw ApiProblem.BadParameter(name, $"'{text}' is not a positive number of hours of at most {MaxHours}");
        }

        return hours;
    }

    /// <summary>A whole number in [min, max]; the default when absent.</summary>
    public int Integer(string name, int defaultValue, int min, int max)
    {
        string? text = Text(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw ApiProblem.BadParameter(name, string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a whole number from {min} to {max}"));
        }

        return value;
    }

    /// <summary>
    /// A time, UTC µs: ISO-8601 (2026-12-01T08:00:00Z, with an offset, or without one = UTC; a
    /// date alone is its midnight UTC) or Unix milliseconds (digits only). Null when absent.
    /// </summary>
    public long? Time(string name)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (TryParseTime(text, out long micros))
        {
            return micros;
        }

        throw ApiProblem.BadParameter(name, $"'{text}' is not a time (ISO-8601 UTC such as 2026-12-01T08:00:00Z, or Unix milliseconds)");
    }

    /// <summary>Parses ISO-8601 or Unix milliseconds into UTC µs.</summary>
    public static bool TryParseTime(string text, out long micros)
    {
        micros = 0;
        bool digits = text.Length is > 0 and <= 15;
        foreach (char c in text)
        {
            digits &= char.IsAsciiDigit(c);
        }

        if (digits)
        {
            // 15 digits of milliseconds reach the year 33658; DateTimeOffset stops at 9999.
            long ms = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
            if (ms > 253_402_300_799_999)
            {
                return false;
            }

            micros = UnixMicros.FromMilliseconds(ms);
            return true;
        }

        if (!DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value) || value < DateTimeOffset.UnixEpoch)
        {
            return false;
        }

        micros = UnixMicros.FromDateTimeOffset(value);
        return true;
    }
}
