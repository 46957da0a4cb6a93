namespace Barometer.Cli;

/// <summary>Process exit codes shared by every verb.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The verb ran and found a problem in its input (e.g. unreadable lines).</summary>
    public const int Failure = 1;

    /// <summary>Bad configuration or bad arguments.</summary>
    public const int BadConfiguration = 2;
}
