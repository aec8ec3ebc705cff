using System.Globalization;
using System.Text;

namespace Edge.Simulator.Devices;

/// <summary>
/// One simulated ISAPI camera (channel 1): its events as the XML <c>EventNotificationAlert</c> parts Hikvision cameras
/// send, and its snapshot (<c>/ISAPI/Streaming/channels/101/picture</c>), a real JPEG drawn with its id and the time.
/// </summary>
public sealed class SimIsapiCamera(string id, string user, string password) : SimIsapiDevice(user, password)
{
    private int _count;

    public string Id { get; } = id;

    /// <summary>What the snapshot endpoint answers instead of a snapshot (a broken camera), when set.</summary>
    public byte[]? BrokenSnapshot { get; set; }

    /// <summary>Snapshots served.</summary>
    public int Snapshots => Volatile.Read(ref _count);

    /// <summary>Sends an event: <paramref name="eventType"/> as ISAPI names it (vmd, linedetection, fielddetection, tamperdetection, shelteralarm, videoloss).</summary>
    public void Send(string eventType, bool active)
    {
        var xml = string.Create(CultureInfo.InvariantCulture,
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">\r\n" +
            $"<ipAddress>10.20.1.21</ipAddress>\r\n<portNo>80</portNo>\r\n<protocol>HTTP</protocol>\r\n<macAddress>44:19:b6:6d:24:85</macAddress>\r\n" +
            $"<channelID>1</channelID>\r\n<dateTime>{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:sszzz}</dateTime>\r\n<activePostCount>1</activePostCount>\r\n" +
            $"<eventType>{eventType}</eventType>\r\n<eventState>{(active ? "active" : "inactive")}</eventState>\r\n<eventDescription>{eventType} alarm</eventDescription>\r\n" +
            $"</EventNotificationAlert>\r\n");
        Enqueue(IsapiAlertStream.Part("application/xml; charset=\"UTF-8\"", Encoding.UTF8.GetBytes(xml)));
    }

    /// <summary>The snapshot the camera takes now, and its content type.</summary>
    public (byte[] Bytes, string ContentType) Snapshot()
    {
        Interlocked.Increment(ref _count);
        return BrokenSnapshot is { } broken ? (broken, "application/octet-stream") : (SnapshotPainter.Draw(Id, DateTimeOffset.UtcNow), "image/jpeg");
    }
}
