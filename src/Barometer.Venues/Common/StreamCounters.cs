using Barometer.Core.Events;

namespace Barometer.Venues.Common;

/// <summary>
/// Counters of one stream (or a whole connection) for /api/health and /metrics. Written by the
/// connector's receive loop only, read by anyone: fields are updated with Interlocked/Volatile so
/// readers never take a lock.
/// </summary>
public sealed class StreamCounters
{
    private long _frames;
    private long _bytes;
    private long _parseErrors;
    private long _unknownMessages;
    private long _sequenceGaps;
    private long _bookResyncs;
    private long _reconnects;
    private long _lastMessageTime;
    private int _state = (int)ConnectionState.Connecting;

    /// <summary>Creates counters for a named stream.</summary>
    public StreamCounters(string name) => Name = name;

    /// <summary>Stream name, e.g. "btcusdt@aggTrade" or "connection".</summary>
    public string Name { get; }

    /// <summary>
    /// What health screens should know about the stream's data, e.g. that a liquidation feed is
    /// sampled by the venue ("sampled: …; totals are lower bounds"). Empty when nothing.
    /// </summary>
    public string Note { get; init; } = string.Empty;

    /// <summary>Frames received.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Bytes received.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Frames that failed to parse.</summary>
    public long ParseErrors => Interlocked.Read(ref _parseErrors);

    /// <summary>Well-formed frames of an unknown kind.</summary>
    public long UnknownMessages => Interlocked.Read(ref _unknownMessages);

    /// <summary>Sequence gaps detected.</summary>
    public long SequenceGaps => Interlocked.Read(ref _sequenceGaps);

    /// <summary>Book resyncs started.</summary>
    public long BookResyncs => Interlocked.Read(ref _bookResyncs);

    /// <summary>Reconnects.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Receive time of the last message, UTC µs (0 = never).</summary>
    public long LastMessageTime => Interlocked.Read(ref _lastMessageTime);

    /// <summary>Current state.</summary>
    public ConnectionState State
    {
        get => (ConnectionState)Volatile.Read(ref _state);
        set => Volatile.Write(ref _state, (int)value);
    }

    /// <summary>Records a received frame.</summary>
    public void OnFrame(int byteCount, long receiveTime)
    {
        Interlocked.Increment(ref _frames);
        Interlocked.Add(ref _bytes, byteCount);
        Interlocked.Exchange(ref _lastMessageTime, receiveTime);
    }

    /// <summary>Records a parse error.</summary>
    public void OnParseError() => Interlocked.Increment(ref _parseErrors);

    /// <summary>Records an unknown message.</summary>
    public void OnUnknownMessage() => Interlocked.Increment(ref _unknownMessages);

    /// <summary>Records a sequence gap.</summary>
    public void OnSequenceGap() => Interlocked.Increment(ref _sequenceGaps);

    /// <summary>Records a book resync.</summary>
    public void OnBookResync() => Interlocked.Increment(ref _bookResyncs);

    /// <summary>Records a reconnect.</summary>
    public void OnReconnect() => Interlocked.Increment(ref _reconnects);
}
