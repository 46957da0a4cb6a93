using Barometer.Analytics.Snapshots;

namespace Barometer.Tui;

/// <summary>Keys → view state: q quit, p pause, 1–4 dashboards, a next asset, ? help (any key closes it).</summary>
public static class KeyMap
{
    /// <summary>Applies one key.</summary>
    /// <param name="view">The current view state.</param>
    /// <param name="key">The key character.</param>
    /// <param name="snapshot">The latest snapshot (for the asset list), or null.</param>
    /// <param name="quit">Set when the key quits.</param>
    /// <returns>The new view state.</returns>
    public static ViewState Apply(ViewState view, char key, MetricsSnapshot? snapshot, out bool quit)
    {
        ArgumentNullException.ThrowIfNull(view);
        quit = false;
        if (view.Help && key != 'q' && key != 'Q')
        {
            return view with { Help = false };
        }

        switch (key)
        {
            case 'q' or 'Q':
                quit = true;
                return view;
            case 'p' or 'P' or ' ':
                return view with { Paused = !view.Paused };
            case '?' or 'h' or 'H':
                return view with { Help = true };
            case >= '1' and <= '4':
                return view with { Dashboard = (DashboardKind)(key - '0') };
            case 'a' or 'A':
                return view with { SelectedAsset = NextAsset(view.SelectedAsset, snapshot) };
            default:
                return view;
        }
    }

    private static string? NextAsset(string? current, MetricsSnapshot? snapshot)
    {
        if (snapshot is null || snapshot.Flow.Assets.Count == 0)
        {
            return current;
        }

        var assets = snapshot.Flow.Assets;
        for (int i = 0; i < assets.Count; i++)
        {
            if (string.Equals(assets[i].Asset, current ?? assets[0].Asset, StringComparison.Ordinal))
            {
                return assets[(i + 1) % assets.Count].Asset;
            }
        }

        return assets[0].Asset;
    }
}
