using System.Diagnostics;
using Barometer.Analytics.Snapshots;

namespace Barometer.Tui;

/// <summary>The terminal the dashboards run in (the real console, or a fake in tests).</summary>
public interface ITerminal
{
    /// <summary>Columns.</summary>
    int Width { get; }

    /// <summary>Rows.</summary>
    int Height { get; }

    /// <summary>Reads one pending key without blocking.</summary>
    /// <param name="key">The key character.</param>
    /// <returns>True when a key was pending.</returns>
    bool TryReadKey(out char key);

    /// <summary>Writes raw text (ANSI sequences included).</summary>
    /// <param name="text">The text.</param>
    void Write(string text);
}

/// <summary>The process console: size from the window, keys without echo, output in one write per frame.</summary>
public sealed class ConsoleTerminal : ITerminal
{
    private readonly TextWriter _out;

    /// <summary>Wraps the process console (its standard output, UTF-8).</summary>
    public ConsoleTerminal()
    {
        Console.OutputEncoding = System.Text.Encoding.UTF8;
        _out = Console.Out;
    }

    /// <inheritdoc />
    public int Width => Safe(() => Console.WindowWidth, 120);

    /// <inheritdoc />
    public int Height => Safe(() => Console.WindowHeight, 40);

    /// <inheritdoc />
    public bool TryReadKey(out char key)
    {
        key = '\0';
        try
        {
            if (Console.IsInputRedirected || !Console.KeyAvailable)
            {
                return false;
            }

            key = Console.ReadKey(intercept: true).KeyChar;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Write(string text)
    {
        _out.Write(text);
        _out.Flush();
    }

    private static int Safe(Func<int> read, int fallback)
    {
        try
        {
            int v = read();
            return v > 0 ? v : fallback;
        }
        catch (IOException)
        {
            return fallback;
        }
        catch (PlatformNotSupportedException)
        {
            return fallback;
        }
    }
}

/// <summary>The render loop: keys, refresh per dashboard, pause, resize, alternate screen.</summary>
public static class TuiRunner
{
    /// <summary>How often keys and the terminal size are polled.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Runs until q or <paramref name="cancel"/>; restores the screen on the way out.</summary>
    /// <param name="feed">The data.</param>
    /// <param name="start">The first dashboard.</param>
    /// <param name="terminal">The terminal.</param>
    /// <param name="wallClock">Wall-clock UTC µs, used only for the snapshot's data age.</param>
    /// <param name="cancel">Stops the loop.</param>
    /// <returns>A task that ends when the user quits or on cancellation.</returns>
    public static async Task RunAsync(SnapshotFeed feed, DashboardKind start, ITerminal terminal, Func<long> wallClock, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(wallClock);
        terminal.Write(FrameWriter.Enter);
        try
        {
            var view = new ViewState { Dashboard = start };
            MetricsSnapshot? frozen = null;
            var sinceDraw = Stopwatch.StartNew();
            bool force = true;
            int width = 0, height = 0;
            long drawnVersion = -1;
            while (!cancel.IsCancellationRequested)
            {
                while (terminal.TryReadKey(out char key))
                {
                    bool wasPaused = view.Paused;
                    view = KeyMap.Apply(view, key, feed.Latest, out bool quit);
                    if (quit)
                    {
                        return;
                    }

                    if (view.Paused && !wasPaused)
                    {
                        frozen = feed.Latest;
                    }

                    force = true;
                }

                int w = terminal.Width, h = terminal.Height;
                if (w != width || h != height)
                {
                    width = w;
                    height = h;
                    force = true;
                }

                bool due = sinceDraw.Elapsed >= Dashboards.RefreshOf(view.Dashboard) && (feed.Version != drawnVersion || view.Dashboard != DashboardKind.Risk);
                if (force || (!view.Paused && due))
                {
                    drawnVersion = feed.Version;
                    var snapshot = view.Paused ? frozen : feed.Latest;
                    var state = feed.Apply(view) with { Width = width, Height = height, WallTime = wallClock() };
                    terminal.Write(FrameWriter.ToTerminal(DashboardRenderer.Render(snapshot, state), width, height));
                    sinceDraw.Restart();
                    force = false;
                }

                try
                {
                    await Task.Delay(Poll, cancel).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            terminal.Write(FrameWriter.Leave);
        }
    }
}
