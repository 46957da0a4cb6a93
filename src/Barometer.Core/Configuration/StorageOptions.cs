namespace Barometer.Core.Configuration;

/// <summary>History storage (SQLite in the data directory).</summary>
public sealed record StorageOptions
{
    /// <summary>One-minute bars older than this many days (before the newest bar) are deleted. Default 30; liquidations and the other tables are kept.</summary>
    public int BarRetentionDays { get; init; } = 30;

    internal void Validate(string prefix, List<OptionsProblem> problems)
    {
        if (BarRetentionDays is < 1 or > 36_500)
        {
            problems.Add(new(prefix + ":BarRetentionDays", $"{BarRetentionDays} must be between 1 and 36500 days"));
        }
    }
}
