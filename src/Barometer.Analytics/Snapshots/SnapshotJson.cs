using System.Text.Json;
using System.Text.Json.Serialization;

namespace Barometer.Analytics.Snapshots;

/// <summary>JSON of snapshots: snake_case names, enums as snake_case strings, nulls written (an unavailable value is explicit).</summary>
public static class SnapshotJson
{
    /// <summary>The serializer options every writer of snapshots uses.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>One snapshot as one line of JSON (no trailing newline).</summary>
    public static string ToLine(MetricsSnapshot snapshot) => JsonSerializer.Serialize(snapshot, Options);

    /// <summary>Any snapshot part (a section, a view) as one line of JSON, with the same conventions.</summary>
    public static string ToLineOf<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Writes one snapshot to <paramref name="stream"/> as UTF-8 JSON.</summary>
    public static void Write(Stream stream, MetricsSnapshot snapshot) => JsonSerializer.Serialize(stream, snapshot, Options);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            NumberHandling = JsonNumberHandling.Strict,
            WriteIndented = false,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new FiniteDoubleConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>Writes NaN and infinities as null (JSON has no such numbers; a non-finite value is an unavailable one).</summary>
internal sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
