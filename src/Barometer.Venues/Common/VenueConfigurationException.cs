namespace Barometer.Venues.Common;

/// <summary>A configuration the venue rejects (e.g. an unknown symbol); fatal at start-up.</summary>
public sealed class VenueConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VenueConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message naming the offending value.</summary>
    public VenueConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public VenueConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
