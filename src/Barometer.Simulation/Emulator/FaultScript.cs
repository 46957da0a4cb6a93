using System.Globalization;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// A plan of faults for one venue at simulated times (µs, the clock of the truth events): drop at
/// T, stall from T1 to T2, a sequence gap at T, REST failures … The driver (a soak test, the
/// <c>simulate</c> verb) calls <see cref="Advance(long)"/> as simulated time moves; every step due
/// by then is applied to the venue's <see cref="EmulatorFaults"/>, in time order (steps at the same
/// time in the order they were added). Build it fluently or <see cref="Parse"/> a text plan.
/// Thread-safe.
/// </summary>
public sealed class FaultScript
{
    private readonly EmulatorFaults _faults;
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Step, (long Time, long Order)> _pending = new();
    private readonly List<string> _applied = new();
    private long _order;

    /// <summary>Creates an empty plan for the venue whose switches are <paramref name="faults"/>.</summary>
    public FaultScript(EmulatorFaults faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        _faults = faults;
    }

    /// <summary>Steps not applied yet.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Applied steps as "time:name", in the order they were applied (for logs and tests).</summary>
    public IReadOnlyList<string> Applied
    {
        get
        {
            lock (_gate)
            {
                return _applied.ToArray();
            }
        }
    }

    /// <summary>Schedules any action on the venue's switches at <paramref name="timeMicros"/>.</summary>
    public FaultScript At(long timeMicros, string name, Action<EmulatorFaults> action)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            _pending.Enqueue(new Step(timeMicros, name, action), (timeMicros, _order++));
        }

        return this;
    }

    /// <summary>Aborts every WebSocket at <paramref name="at"/>.</summary>
    public FaultScript Drop(long at) => At(at, "drop", f => f.DropConnections());

    /// <summary>Stalls the venue from <paramref name="from"/> until <paramref name="until"/>.</summary>
    public FaultScript Stall(long from, long until)
    {
        ThrowIfBackwards(from, until);
        return At(from, "stall", f => f.Stalled = true).At(until, "resume", f => f.Stalled = false);
    }

    /// <summary>The next book message after <paramref name="at"/> skips a sequence id.</summary>
    public FaultScript Gap(long at) => At(at, "gap", f => f.GapNextSequence());

    /// <summary>The next book message after <paramref name="at"/> carries a wrong checksum.</summary>
    public FaultScript BadChecksum(long at) => At(at, "checksum", f => f.CorruptNextChecksum());

    /// <summary>From <paramref name="at"/> the next <paramref name="count"/> REST requests fail with <paramref name="statusCode"/>.</summary>
    public FaultScript FailRest(long at, int statusCode, int count = 1) =>
        At(at, "rest " + statusCode.ToString(CultureInfo.InvariantCulture) + "x" + count.ToString(CultureInfo.InvariantCulture),
            f => f.FailNextRest(statusCode, count));

    /// <summary>REST responses are delayed by <paramref name="delay"/> from <paramref name="from"/> until <paramref name="until"/>.</summary>
    public FaultScript SlowRest(long from, long until, TimeSpan delay)
    {
        ThrowIfBackwards(from, until);
        return At(from, "slow", f => f.RestDelay = delay).At(until, "fast", f => f.RestDelay = TimeSpan.Zero);
    }

    /// <summary>Sends <paramref name="text"/> verbatim to every session at <paramref name="at"/>.</summary>
    public FaultScript Inject(long at, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return At(at, "inject", f => f.InjectFrame(text));
    }

    /// <summary>Subscriptions to <paramref name="topic"/> are rejected from <paramref name="from"/> (until <paramref name="until"/>, if given).</summary>
    public FaultScript Reject(string topic, long from, long until = long.MaxValue) =>
        Toggle(topic, from, until, "reject", f => f.RejectedTopics);

    /// <summary><paramref name="topic"/> is acknowledged but delivers nothing from <paramref name="from"/> (until <paramref name="until"/>, if given).</summary>
    public FaultScript Silence(string topic, long from, long until = long.MaxValue) =>
        Toggle(topic, from, until, "silence", f => f.SilentTopics);

    /// <summary>Applies every step due at <paramref name="nowMicros"/>; returns how many were applied.</summary>
    public int Advance(long nowMicros)
    {
        int applied = 0;
        while (true)
        {
            Step step;
            lock (_gate)
            {
                if (!_pending.TryPeek(out step!, out var key) || key.Time > nowMicros)
                {
                    return applied;
                }

                _pending.Dequeue();
                _applied.Add(step.Time.ToString(CultureInfo.InvariantCulture) + ":" + step.Name);
            }

            step.Action(_faults);
            applied++;
        }
    }

    /// <summary>Applies every step due at <paramref name="now"/> (a simulated or fake clock's time).</summary>
    public int Advance(DateTimeOffset now) => Advance((now - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);

    /// <summary>
    /// Parses a text plan, times relative to <paramref name="originMicros"/>. Entries are separated by
    /// newlines or ';'; '#' starts a comment. Each entry is <c>TIME VERB [ARGS]</c>, TIME a duration
    /// (<c>250ms</c>, <c>10s</c>, <c>2m</c>, <c>1h</c>, <c>500us</c>) or a range <c>FROM..UNTIL</c>:
    /// <list type="bullet">
    /// <item><c>10s drop</c> · <c>20s..30s stall</c> · <c>40s gap</c> · <c>45s checksum</c></item>
    /// <item><c>50s rest 429 3</c> (status, optional count) · <c>60s..90s slow 2s</c></item>
    /// <item><c>70s inject {"topic":</c> (the rest of the entry, verbatim)</item>
    /// <item><c>80s..100s reject publicTrade.BTCUSDT</c> · <c>80s silence trades:BTC-USDT</c> (range optional)</item>
    /// </list>
    /// </summary>
    public static FaultScript Parse(EmulatorFaults faults, string text, long originMicros = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        var script = new FaultScript(faults);
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine;
            int comment = line.IndexOf('#', StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            foreach (string rawEntry in line.Split(';'))
            {
                string entry = rawEntry.Trim();
                if (entry.Length > 0)
                {
                    ParseEntry(script, entry, originMicros);
                }
            }
        }

        return script;
    }

    private static void ParseEntry(FaultScript script, string entry, long origin)
    {
        string[] parts = entry.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length < 2)
        {
            throw new FormatException($"fault entry '{entry}': expected TIME VERB [ARGS]");
        }

        string when = parts[0];
        string verb = parts[1].ToLowerInvariant();
        string args = parts.Length > 2 ? parts[2] : string.Empty;
        long from;
        long? until = null;
        int range = when.IndexOf("..", StringComparison.Ordinal);
        if (range >= 0)
        {
            from = origin + Duration(when[..range], entry);
            until = origin + Duration(when[(range + 2)..], entry);
        }
        else
        {
            from = origin + Duration(when, entry);
        }

        switch (verb)
        {
            case "drop":
                NoRange();
                script.Drop(from);
                break;
            case "stall":
                script.Stall(from, until ?? throw new FormatException($"fault entry '{entry}': stall needs FROM..UNTIL"));
                break;
            case "gap":
                NoRange();
                script.Gap(from);
                break;
            case "checksum":
                NoRange();
                script.BadChecksum(from);
                break;
            case "rest":
            {
                NoRange();
                string[] a = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (a.Length is < 1 or > 2
                    || !int.TryParse(a[0], NumberStyles.None, CultureInfo.InvariantCulture, out int status)
                    || status is < 100 or > 599)
                {
                    throw new FormatException($"fault entry '{entry}': expected rest STATUS [COUNT]");
                }

                int count = 1;
                if (a.Length == 2 && (!int.TryParse(a[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
                {
                    throw new FormatException($"fault entry '{entry}': COUNT must be a positive integer");
                }

                script.FailRest(from, status, count);
                break;
            }

            case "slow":
                script.SlowRest(from, until ?? throw new FormatException($"fault entry '{entry}': slow needs FROM..UNTIL"),
                    TimeSpan.FromTicks(Duration(args, entry) * TimeSpan.TicksPerMicrosecond));
                break;
            case "inject":
                NoRange();
                if (args.Length == 0)
                {
                    throw new FormatException($"fault entry '{entry}': inject needs the text to send");
                }

                script.Inject(from, args);
                break;
            case "reject":
                script.Reject(Topic(), from, until ?? long.MaxValue);
                break;
            case "silence":
                script.Silence(Topic(), from, until ?? long.MaxValue);
                break;
            default:
                throw new FormatException($"fault entry '{entry}': unknown fault '{parts[1]}'");
        }

        void NoRange()
        {
            if (until is not null)
            {
                throw new FormatException($"fault entry '{entry}': '{verb}' happens at one time, not over a range");
            }
        }

        string Topic() => args.Length > 0 && !args.Contains(' ', StringComparison.Ordinal)
            ? args
            : throw new FormatException($"fault entry '{entry}': expected one topic");
    }

    private static long Duration(string text, string entry)
    {
        text = text.Trim();
        int unitAt = text.Length;
        while (unitAt > 0 && char.IsAsciiLetter(text[unitAt - 1]))
        {
            unitAt--;
        }

        long scale = text[unitAt..] switch
        {
            "us" => 1,
            "ms" => 1_000,
            "s" => 1_000_000,
            "m" => 60_000_000,
            "h" => 3_600_000_000,
            _ => 0,
        };
        if (scale == 0 || !double.TryParse(text[..unitAt], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
        {
            throw new FormatException($"fault entry '{entry}': '{text}' is not a duration (e.g. 250ms, 10s, 2m)");
        }

        return (long)Math.Round(value * scale);
    }

    private static void ThrowIfBackwards(long from, long until)
    {
        if (until < from)
        {
            throw new ArgumentOutOfRangeException(nameof(until), until, "a fault window cannot end before it starts");
        }
    }

    private FaultScript Toggle(string topic, long from, long until, string name,
        Func<EmulatorFaults, System.Collections.Concurrent.ConcurrentDictionary<string, bool>> set)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ThrowIfBackwards(from, until);
        At(from, name + " " + topic, f => set(f)[topic] = true);
        if (until != long.MaxValue)
        {
            At(until, "un" + name + " " + topic, f => set(f).TryRemove(topic, out _));
        }

        return this;
    }

    private sealed record Step(long Time, string Name, Action<EmulatorFaults> Action);
}
