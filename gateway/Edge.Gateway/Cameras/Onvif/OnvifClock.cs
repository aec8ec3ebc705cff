using System.Globalization;
using System.Xml.Linq;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;

namespace Edge.Gateway.Cameras.Onvif;

/// <summary>
/// The camera's clock as the gateway follows it. Cameras drift, and refuse a WS-Security token created outside their
/// window (often seconds): the camera's time is read with GetSystemDateAndTime (which it answers before
/// authentication) and every token is dated on its clock. An offset under <see cref="Tolerance"/> is taken for none:
/// the camera gives whole seconds.
/// </summary>
public sealed class OnvifClock(TimeProvider time)
{
    /// <summary>Offsets smaller than this are within the reading's own error (whole seconds, the round trip).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    /// <summary>How far the camera's clock is ahead of the gateway's (negative: behind).</summary>
    public TimeSpan Offset { get; private set; }

    /// <summary>Now on the camera's clock: when a token is created.</summary>
    public DateTimeOffset Now => time.GetUtcNow() + Offset;

    /// <summary>
    /// Takes the camera's time from a GetSystemDateAndTimeResponse, asked at <paramref name="sent"/> and answered at
    /// <paramref name="received"/> (gateway time). False when the answer has no readable UTC time (the offset stays).
    /// </summary>
    public bool Update(XElement response, DateTimeOffset sent, DateTimeOffset received)
    {
        if (Read(response) is not { } camera)
        {
            return false;
        }

        // The camera truncates to the second: its time is half a second later on average, read halfway through the call.
        var offset = camera + TimeSpan.FromMilliseconds(500) - (sent + ((received - sent) / 2));
        Offset = offset.Duration() < Tolerance ? TimeSpan.Zero : offset;
        return true;
    }

    /// <summary>The UTCDateTime of a GetSystemDateAndTimeResponse; null when it is missing or not a date.</summary>
    public static DateTimeOffset? Read(XElement response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var utc = response.Element(Tds + "SystemDateAndTime")?.Element(Tt + "UTCDateTime");
        int? Part(string group, string name) =>
            int.TryParse(utc?.Element(Tt + group)?.Element(Tt + name)?.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        if (Part("Date", "Year") is not { } year || Part("Date", "Month") is not { } month || Part("Date", "Day") is not { } day
            || Part("Time", "Hour") is not { } hour || Part("Time", "Minute") is not { } minute || Part("Time", "Second") is not { } second)
        {
            return null;
        }

        try
        {
            return new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
