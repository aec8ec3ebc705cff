using System.Text;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Station.Configuration;
using Edge.Station.Ingest;

namespace Edge.Tests.Station;

/// <summary>Events, options and messages for the desk's tests.</summary>
internal static class DeskFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 20, 0, 0, TimeSpan.Zero);

    /// <summary>Made once: each hash costs 210,000 rounds of PBKDF2.</summary>
    public static readonly string PasswordHashOfPw = Edge.Station.Web.PasswordHash.Make("pw");

    public static DeskOptions Options(string dir, IReadOnlySet<string>? roster = null) => new()
    {
        Broker = new Uri("mqtt://127.0.0.1:1883"),
        DataDirectory = dir,
        CommandKeyFile = "unused",
        CommandKeyId = "k",
        Operators = [new Operator("wang", PasswordHashOfPw)],
        Gateways = roster,
        PictureMaxBytes = 4096,
    };

    public static EdgeEvent Event(string type, long seq, DateTimeOffset at, EventState? state = EventState.Active, Priority priority = Priority.Critical,
        string community = "c001", string gateway = "gw1", string device = "btn-1", string? name = null) =>
        new(Guid.CreateVersion7(at), seq, type, priority, community, gateway, new DeviceRef(device, "alarm-button", name, new Location("3", "2", "1", "gate")),
            state, at, at, null);

    public static (string Topic, byte[] Payload) Message(EdgeEvent e) => (Topic.Event(e), Payloads.Encode(e));

    /// <summary>A minimal JPEG: SOI, an APP0 marker's start, EOI.</summary>
    public static byte[] Jpeg(int size = 64)
    {
        var b = new byte[size];
        b[0] = 0xFF;
        b[1] = 0xD8;
        b[2] = 0xFF;
        b[^2] = 0xFF;
        b[^1] = 0xD9;
        return b;
    }

    public static Inbound Sorted(DeskOptions options, EdgeEvent e, DateTimeOffset now)
    {
        var (topic, payload) = Message(e);
        return new MessageSorter(options).Sort(topic, payload, now)!;
    }

    public static byte[] Json(JsonObject o) => Encoding.UTF8.GetBytes(o.ToJsonString());
}
