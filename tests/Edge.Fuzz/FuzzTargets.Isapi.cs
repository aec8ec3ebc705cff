using Edge.Contracts.Events;
using Edge.Gateway.Cameras;
using Edge.Gateway.Isapi;

namespace Edge.Fuzz;

public static partial class FuzzTargets
{
    private static bool IsapiMultipart(byte[] data)
    {
        var whole = ReadParts(new MemoryStream(data));
        var trickle = ReadParts(new OneByteStream(data));
        Check(whole.Count == trickle.Count, $"{whole.Count} parts read whole, {trickle.Count} one byte at a time");
        for (var i = 0; i < whole.Count; i++)
        {
            Check(whole[i].Body.AsSpan().SequenceEqual(trickle[i].Body) && whole[i].Headers.Count == trickle[i].Headers.Count,
                $"part {i} differs read whole and one byte at a time");
            Check(whole[i].Body.Length <= MultipartMaxBody, $"a part of {whole[i].Body.Length} bytes passed the limit");
        }

        return whole.Count > 0;
    }

    private const int MultipartMaxBody = 1024;

    private static List<MultipartPart> ReadParts(Stream stream)
    {
        var reader = new MultipartStreamReader(stream, "boundary", maxBody: MultipartMaxBody);
        var parts = new List<MultipartPart>();
        while (reader.ReadPartAsync(CancellationToken.None).GetAwaiter().GetResult() is { } part)
        {
            parts.Add(part);
        }

        return parts;
    }

    private static readonly string?[] ContentTypes = ["application/xml", "application/json", null, "text/plain; charset=utf-8"];

    private static readonly HashSet<string> CameraTypes =
        [EventTypes.CameraMotion, EventTypes.CameraTamper, EventTypes.CameraVideoLoss, EventTypes.CameraIntrusion, EventTypes.CameraLineCrossing];

    /// <summary>The first byte chooses the content type the camera or controller declared.</summary>
    private static bool IsapiAlerts(byte[] data)
    {
        // An empty input still goes through the parser: SharpFuzz reads afl's first input before afl has written it,
        // and a harness that ran no gateway code on it would make afl-fuzz stop with "No instrumentation detected".
        data = data.Length == 0 ? [0] : data;
        var contentType = ContentTypes[data[0] % ContentTypes.Length];
        if (!IsapiAlert.TryParse(data.AsSpan(1), contentType, out var alert, out var error))
        {
            Check(alert is null && !string.IsNullOrEmpty(error), "a refused alert without a reason");
            return false;
        }

        Check(alert is not null && !string.IsNullOrEmpty(alert.EventType), "an alert accepted without an event type");
        if (CameraEvents.OfIsapi(alert!.EventType) is { } type)
        {
            Check(CameraTypes.Contains(type), $"an alert mapped to '{type}'");
        }

        if (alert.Access is { } access)
        {
            _ = IsapiAccessCodes.Of(access.Major, access.Minor);
        }

        return true;
    }

    private static bool IsapiLogPages(byte[] data)
    {
        if (IsapiAccessLog.TryParse(data, out var page, out var error))
        {
            Check(page is not null, "a page accepted as nothing");
            foreach (var e in page!.Events)
            {
                Check(e.Access.SerialNo is >= 1 and <= IsapiAccessLog.MaxSerial && e.Access.Major >= 0 && e.Access.Minor >= 0,
                    $"an entry accepted with serial {e.Access.SerialNo}, codes {e.Access.Major}/{e.Access.Minor}");
            }

            return true;
        }

        Check(page is null && !string.IsNullOrEmpty(error), "a refused page without a reason");
        return false;
    }
}
