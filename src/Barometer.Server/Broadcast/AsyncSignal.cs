using System.Threading.Tasks.Sources;

namespace Barometer.Server.Broadcast;

/// <summary>
/// Wakes one waiting sender without allocating. The sender announces it is about to wait
/// (<see cref="Prepare"/>), re-checks its queues (and calls <see cref="TryCancel"/> when it found
/// work), then awaits <see cref="WaitAsync"/>; a producer calls <see cref="Set"/> after queuing.
/// The flag exchange makes exactly one side act: either the sender cancels its wait or the
/// producer schedules the wake-up. The wake-up runs on the thread pool (this object is the work
/// item), never on the producer's thread, so a producer never runs a client's send.
/// </summary>
/// <remarks>
/// Memory order: <see cref="Prepare"/> is a full fence before the sender's re-check; a producer
/// must issue a full fence between queuing and <see cref="Set"/> (the hub does one
/// <see cref="Interlocked.MemoryBarrier"/> per published message).
/// </remarks>
internal sealed class AsyncSignal : IValueTaskSource, IThreadPoolWorkItem
{
    private ManualResetValueTaskSourceCore<bool> _core;
    private int _waiting;

    /// <summary>True while the sender waits or is about to.</summary>
    public bool IsWaiting => Volatile.Read(ref _waiting) == 1;

    /// <summary>Sender: about to wait (resets the completion source, then a full fence).</summary>
    public void Prepare()
    {
        _core.Reset();
        Interlocked.Exchange(ref _waiting, 1);
    }

    /// <summary>Sender: found work after <see cref="Prepare"/>. True: no wake-up is coming, go on; false: one is, await it.</summary>
    public bool TryCancel() => Interlocked.Exchange(ref _waiting, 0) == 1;

    /// <summary>Sender: waits for <see cref="Set"/>.</summary>
    public ValueTask WaitAsync() => new(this, _core.Version);

    /// <summary>Anyone: wakes the sender if it waits (cheap when it does not).</summary>
    public void Set()
    {
        if (Volatile.Read(ref _waiting) == 1 && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute() => _core.SetResult(true);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
