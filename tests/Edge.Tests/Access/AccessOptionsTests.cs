using Edge.Gateway.Access;
using Edge.Gateway.Alarms;
using Edge.Gateway.Hardware;
using Edge.Tests.Support;

namespace Edge.Tests.Access;

public sealed class AccessOptionsTests
{
    private static IReadOnlyList<string> Errors(AccessOptions access, HardwareOptions? hardware = null, AlarmOptions? alarms = null) =>
        (TestGateway.Settings("mqtt://127.0.0.1:1883", "/tmp/x") with { Access = access, Hardware = hardware, Alarms = alarms }).Validate();

    [Fact]
    public void A_valid_configuration_has_no_errors()
    {
        var access = new AccessOptions
        {
            CardSecret = Convert.ToBase64String(new byte[32]),
            Controllers = [new AccessControllerOptions { Id = "ctl-001", Url = "http://10.20.0.15/", User = "admin", Doors = [new AccessDoorOptions { Number = 1, Id = "door-001" }] }],
            WiegandReaders = [new WiegandReaderOptions { Id = "reader-001", D0 = 20, D1 = 21 }],
            Doors = [new GpioDoorOptions { Id = "door-002", ContactPin = 22, ReleasePin = 23 }],
            OsdpReaders =
            [
                new OsdpReaderOptions { Id = "reader-002", Endpoint = "tcp://10.20.0.30:4001", Address = 1, Scbk = "00112233445566778899AABBCCDDEEFF" },
                new OsdpReaderOptions { Id = "reader-003", Endpoint = "serial:///dev/ttyUSB0", BaudRate = 38400, Address = 1, Door = "door-003", DoorContactInput = 0, ReleaseInput = 1 },
                new OsdpReaderOptions { Id = "reader-004", Endpoint = "serial:///dev/ttyUSB0", BaudRate = 38400, Address = 2, Door = "door-004", DoorContactInput = 0, RequestToExitInput = 1 },
            ],
        };

        Assert.Empty(Errors(access, new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = "tcp://127.0.0.1:7100" }));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_naming_its_key()
    {
        var access = new AccessOptions
        {
            CardSecret = "not base64!",
            Controllers =
            [
                new AccessControllerOptions { Id = "ctl 1", Url = "ftp://x", User = "", SilenceTimeout = TimeSpan.FromSeconds(1), Doors = [new AccessDoorOptions { Number = 0, Id = "btn-1" }] },
            ],
            WiegandReaders = [new WiegandReaderOptions { Id = "reader-001", D0 = 17, D1 = 17, FrameGap = TimeSpan.FromMilliseconds(1) }],
            Doors = [new GpioDoorOptions { Id = "door-002", ContactPin = 2000, UnlockFor = TimeSpan.Zero }],
            OsdpReaders = [new OsdpReaderOptions { Id = "reader-002", Endpoint = "udp://10.0.0.1:4001", Address = 127, Scbk = "00112233", OfflineAfter = TimeSpan.FromMilliseconds(100) }],
        };
        var alarms = new AlarmOptions { Buttons = [new AlarmButtonOptions { Id = "btn-1", Pin = 17 }] };

        var errors = Errors(access, new HardwareOptions { Gpio = GpioDriverKind.None }, alarms);

        foreach (var key in new[]
        {
            "Edge:Access:CardSecret", "Edge:Access:Controllers:0:Id", "Edge:Access:Controllers:0:Url", "Edge:Access:Controllers:0:User",
            "Edge:Access:Controllers:0:SilenceTimeout", "Edge:Access:Controllers:0:Doors:0:Number", "Edge:Access:Controllers:0:Doors:0:Id 'btn-1' is already",
            "Edge:Access:WiegandReaders:0:D0 17 is already used by Edge:Alarms:Buttons:0:Pin", "Edge:Access:WiegandReaders:0:D1 17 is already used",
            "Edge:Access:WiegandReaders:0:FrameGap",
            "Edge:Access:Doors:0:ContactPin 2000", "Edge:Access:Doors:0:UnlockFor",
            "Edge:Access:OsdpReaders:0:Endpoint", "Edge:Access:OsdpReaders:0:Address 127", "Edge:Access:OsdpReaders:0:Scbk", "Edge:Access:OsdpReaders:0:OfflineAfter", "Edge:Hardware:Gpio must name a driver (Libgpiod, Sysfs or Bridge) when Edge:Access",
        })
        {
            Assert.Contains(errors, e => e.Contains(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Access_devices_without_a_card_secret_are_refused()
    {
        var errors = Errors(new AccessOptions { Controllers = [new AccessControllerOptions { Id = "ctl-001", Url = "http://x/", User = "admin" }] });

        Assert.Contains(errors, e => e.StartsWith("Edge:Access:CardSecret is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Readers_on_one_line_need_their_own_addresses_one_speed_and_a_door_for_their_inputs()
    {
        OsdpReaderOptions Reader(int n, int address, int baud) => new() { Id = $"reader-{n}", Endpoint = "serial:///dev/ttyS1", Address = address, BaudRate = baud };
        var access = new AccessOptions
        {
            CardSecret = Convert.ToBase64String(new byte[32]),
            OsdpReaders =
            [
                Reader(1, 1, 9600), Reader(2, 1, 9600), Reader(3, 2, 19200), Reader(4, 3, 14400),
                new OsdpReaderOptions { Id = "reader-5", Endpoint = "tcp://127.0.0.1:4001", DoorContactInput = 0, ReleaseInput = 0 },
                new OsdpReaderOptions { Id = "reader-6", Endpoint = "tcp://127.0.0.1:4002", RequestToExitInput = 1 },
            ],
        };
        access.OsdpReaders[3].Endpoint = "tcp://127.0.0.1:4003";

        var errors = Errors(access);

        foreach (var key in new[]
        {
            "Edge:Access:OsdpReaders:1:Address 1 is already used on the line serial:///dev/ttyS1",
            "Edge:Access:OsdpReaders:2:BaudRate 19200 differs from 9600 of Edge:Access:OsdpReaders:0",
            "Edge:Access:OsdpReaders:3:BaudRate 14400 must be",
            "Edge:Access:OsdpReaders:4:Door (the door's device id) is required",
            "Edge:Access:OsdpReaders:4:ReleaseInput 0 is already used by Edge:Access:OsdpReaders:4:DoorContactInput",
            "Edge:Access:OsdpReaders:5:DoorContactInput is required",
        })
        {
            Assert.Contains(errors, e => e.StartsWith(key, StringComparison.Ordinal));
        }

        Assert.Equal(6, errors.Count);
    }
}
