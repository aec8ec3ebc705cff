using System.Globalization;
using System.Net;
using System.Text;

namespace Edge.Simulator.Devices;

/// <summary>
/// The long-lived ISAPI alert stream (<c>ISAPI/Event/notification/alertStream</c>) as devices serve it:
/// <c>multipart/mixed</c>, one part per event, a heartbeat part while nothing else happens.
/// </summary>
internal static class IsapiAlertStream
{
    private const string Boundary = "MIME_boundary";

    public static async Task ServeAsync(HttpListenerContext http, SimIsapiDevice sim, CancellationToken ct)
    {
        http.Response.ContentType = $"multipart/mixed; boundary={Boundary}";
        http.Response.SendChunked = true;
        var body = http.Response.OutputStream;
        // HttpListener sends the headers with the first bytes of the body: a preamble (which multipart readers skip)
        // answers the request at once, as a device does, instead of at the first event.
        var stream = sim.StreamOpened();
        try
        {
            await body.WriteAsync("\r\n"u8.ToArray(), ct).ConfigureAwait(false);
            await body.FlushAsync(ct).ConfigureAwait(false);
            await StreamPartsAsync(body, sim, stream, ct).ConfigureAwait(false);
        }
        finally
        {
            sim.StreamClosed();
        }
    }

    /// <summary>
    /// Writes the device's parts to stream number <paramref name="stream"/> until a newer stream opens (the gateway that
    /// held this one is gone: its parts go to the new one) or the connection breaks.
    /// </summary>
    private static async Task StreamPartsAsync(Stream body, SimIsapiDevice sim, int stream, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && sim.IsNewest(stream))
        {
            using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(ct);
            heartbeat.CancelAfter(sim.HeartbeatEvery);
            byte[] part;
            try
            {
                part = await sim.Reader.ReadAsync(heartbeat.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (sim.Silent)
                {
                    continue;
                }

                part = Part("application/json", Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"eventType\":\"heartBeat\",\"eventState\":\"active\",\"dateTime\":\"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssK}\",\"activePostCount\":0}}")));
            }

            if (!sim.IsNewest(stream))
            {
                // Taken just as a newer stream opened: it is that stream's (later than parts queued behind it).
                sim.Requeue(part);
                return;
            }

            await body.WriteAsync(part, ct).ConfigureAwait(false);
            await body.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>One part of the stream: its headers (content type and length) and body.</summary>
    internal static byte[] Part(string contentType, byte[] body) =>
        [.. Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n\r\n"), .. body, .. "\r\n"u8];
}
