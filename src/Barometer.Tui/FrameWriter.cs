using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Barometer.Tui;

/// <summary>
/// Turns a frame into the bytes for the terminal: rendered off-screen with ANSI colors at the
/// terminal's width, cropped to its height, each line cleared to its end, the cursor sent home
/// first and the rest of the screen cleared after — one write per frame, no flicker, clean resizes.
/// </summary>
public static class FrameWriter
{
    /// <summary>Enter the alternate screen and hide the cursor.</summary>
    public const string Enter = "\u001b[?1049h\u001b[?25l\u001b[2J";

    /// <summary>Show the cursor and leave the alternate screen.</summary>
    public const string Leave = "\u001b[?25h\u001b[?1049l";

    /// <summary>Renders <paramref name="frame"/> for a terminal of <paramref name="width"/> × <paramref name="height"/>.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="colors">Emit ANSI colors and styles (false: plain text).</param>
    /// <returns>Text to write as-is.</returns>
    public static string ToTerminal(IRenderable frame, int width, int height, bool colors = true)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = colors ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colors ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Math.Max(20, width);
        console.Profile.Height = Math.Max(5, height);
        console.Profile.Capabilities.Unicode = true;
        console.Write(frame);
        var lines = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int count = lines.Length;
        while (count > 0 && lines[count - 1].Length == 0)
        {
            count--;
        }

        count = Math.Min(count, Math.Max(1, height));
        var sb = new StringBuilder("\u001b[H");
        for (int i = 0; i < count; i++)
        {
            sb.Append(lines[i]);
            if (colors)
            {
                sb.Append("\u001b[0m");
            }

            sb.Append("\u001b[K");
            if (i < count - 1)
            {
                sb.Append("\r\n");
            }
        }

        sb.Append("\u001b[J");
        return sb.ToString();
    }
}
