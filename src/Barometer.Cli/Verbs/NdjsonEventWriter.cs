using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Serialization;

namespace Barometer.Cli.Verbs;

/// <summary>
/// Writes normalized events as NDJSON (docs/schema/normalized-events.md), one per line, and counts
/// them by kind. Used by `normalize` and `replay`.
/// </summary>
internal sealed class NdjsonEventWriter : IEventSink, IDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream _output;
    private readonly Utf8JsonWriter _writer;

    public NdjsonEventWriter(Stream output)
    {
        _output = output;
        _writer = new Utf8JsonWriter(output);
    }

    public long Events { get; private set; }

    public SortedDictionary<string, long> EventsByKind { get; } = new(StringComparer.Ordinal);

    public void Publish(in MarketEvent e)
    {
        NormalizedEventJson.Write(_writer, e);
        _writer.Flush();
        _writer.Reset(_output);
        _output.Write(NewLine);
        Events++;
        string kind = e.Kind.ToWireName();
        EventsByKind[kind] = EventsByKind.GetValueOrDefault(kind) + 1;
    }

    public void Flush()
    {
        _writer.Flush();
        _output.Flush();
    }

    public void Dispose() => _writer.Dispose();
}
