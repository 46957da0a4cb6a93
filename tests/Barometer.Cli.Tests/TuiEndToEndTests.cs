using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Barometer.Cli.Tests;

/// <summary>
/// `barometer tui microstructure --embedded --simulate` in a real terminal (tmux, 120×40): live
/// numbers appear, q quits with exit code 0. tmux comes from scripts/apt-packages.txt.
/// </summary>
public sealed partial class TuiEndToEndTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "barometer-tui-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly string _session = "barometer-tui-" + Guid.NewGuid().ToString("N")[..8];

    public TuiEndToEndTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public async Task Embedded_simulation_shows_live_numbers_and_q_quits()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "barometer.dll");
        Assert.True(File.Exists(dll), "barometer.dll next to the tests: " + dll);
        string exitFile = Path.Combine(_dir, "exit-code");
        string command = $"dotnet '{dll}' tui microstructure --embedded --simulate --data-dir '{_dir}'; echo $? > '{exitFile}'; sleep 2";
        Assert.Equal(0, await Tmux("new-session", "-d", "-s", _session, "-x", "120", "-y", "40", command));

        // Live numbers: the orderflow panel shows a buy share ("43% BUY") and a net flow per minute ("$…/min").
        string screen = "";
        bool live = false;
        for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(40) && !live; await Task.Delay(500))
        {
            screen = await Capture();
            live = LiveBuyShare().IsMatch(screen) && screen.Contains("/min", StringComparison.Ordinal);
        }

        Assert.True(live, "no live numbers within 40 s; screen:\n" + screen);
        Assert.Contains("SIMULATED", screen, StringComparison.Ordinal);
        Assert.Contains("ORDERFLOW IMBALANCE", screen, StringComparison.Ordinal);
        Assert.Contains("WHALE DETECTOR", screen, StringComparison.Ordinal);

        Assert.Equal(0, await Tmux("send-keys", "-t", _session, "q"));
        for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(30) && !File.Exists(exitFile); await Task.Delay(250))
        {
        }

        Assert.True(File.Exists(exitFile), "tui did not exit after q; screen:\n" + await Capture());
        await Task.Delay(200);
        Assert.Equal("0", (await File.ReadAllTextAsync(exitFile)).Trim());
        Assert.True(File.Exists(Path.Combine(_dir, "logs", "tui.log")), "logs go to DATA_DIR/logs/tui.log");
    }

    public void Dispose()
    {
        Tmux("kill-session", "-t", _session).GetAwaiter().GetResult();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"\d+% BUY")]
    private static partial Regex LiveBuyShare();

    private async Task<string> Capture()
    {
        var (code, output) = await Run("tmux", "capture-pane", "-p", "-t", _session);
        return code == 0 ? output : "";
    }

    private static async Task<int> Tmux(params string[] args) => (await Run("tmux", args)).Code;

    private static async Task<(int Code, string Output)> Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
