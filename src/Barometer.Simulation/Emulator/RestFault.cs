namespace Barometer.Simulation.Emulator;

/// <summary>
/// The reply a venue gives to a scripted REST failure (<see cref="EmulatorFaults.FailNextRest"/>):
/// the HTTP status it really uses (which may differ from the one asked for, e.g. Bybit answers an
/// IP rate limit with 403), the content type and the body in the venue's error shape.
/// </summary>
public readonly record struct RestFault(int StatusCode, string ContentType, string Body);
