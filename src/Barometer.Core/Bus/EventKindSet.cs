using Barometer.Core.Events;

namespace Barometer.Core.Bus;

/// <summary>A set of <see cref="EventKind"/>s as a bit mask: the kinds a consumer wants.</summary>
public readonly record struct EventKindSet
{
    private readonly ushort _bits;

    private EventKindSet(ushort bits) => _bits = bits;

    /// <summary>Every kind.</summary>
    public static EventKindSet All { get; } = new(ushort.MaxValue);

    /// <summary>The given kinds.</summary>
    public static EventKindSet Of(params ReadOnlySpan<EventKind> kinds)
    {
        ushort bits = 0;
        foreach (var k in kinds)
        {
            bits |= (ushort)(1 << (int)k);
        }

        return new EventKindSet(bits);
    }

    /// <summary>True when <paramref name="kind"/> is in the set.</summary>
    public bool Contains(EventKind kind) => (_bits & (1 << (int)kind)) != 0;
}
