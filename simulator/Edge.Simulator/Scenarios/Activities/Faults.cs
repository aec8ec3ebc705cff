using System.Globalization;
using Edge.Simulator.Devices;

namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// Things break, one at a time, every eighth of the run (at least every 3 s), in turn:
/// a zone's wire is cut; a gateway's I/O board is unplugged for 5 s (its devices go offline, then online); a
/// community's uplink is cut for 8 s while a guard presses its button (the alarm waits in the outbox); a gateway is
/// killed and restarted 5 s later while residents keep using its access controllers' doors (the station must see it
/// offline; its outbox carries on; the controllers' events logged meanwhile arrive after the restart); an OSDP door reader is
/// unplugged for 10 s and comes back with its case open (offline after OSDP's 8 s, online, tamper); a camera loses its
/// cable for 35 s (offline after the gateway's 30 s of silence, online) and is blinded once it is back.
/// </summary>
public sealed class Faults : IScenarioActivity
{
    private static readonly TimeSpan Free = TimeSpan.FromSeconds(3);

    public string Name => "faults: wire cut, I/O board unplugged, uplink cut, gateway killed, door reader unplugged, camera unplugged and blinded";

    public async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var period = TimeSpan.FromSeconds(Math.Max(3, context.Duration.TotalSeconds / 8));
        await context.Clock.Delay(period / 2, ct).ConfigureAwait(false);
        for (var round = 0; !ct.IsCancellationRequested; round++)
        {
            var community = context.AnyCommunity();
            var random = new Random(context.Random.Next());
            if (round % 6 >= 4)
            {
                if (round % 6 == 4)
                {
                    UnplugReader(context, random);
                }
                else
                {
                    UnplugCamera(context, random);
                }

                await context.Clock.Delay(period, ct).ConfigureAwait(false);
                continue;
            }

            Func<CancellationToken, Task>? act = (round % 6) switch
            {
                0 => Acts.Disturb(community, random, ZoneFault.Cut),
                1 => token => Unplug(context, community, token),
                2 => token => CutUplink(context, community, random, token),
                _ => context.Gateways is null ? null : token => Kill(context, community, token),
            };
            if (act is not null)
            {
                // A board unplugged or a gateway killed cannot see Wiegand and OSDP readers, GPIO doors and cameras, so
                // their acts wait. The access controllers' doors go on through a killing: the restarted gateway reads
                // what it missed from their event logs, and the probe counts every one of those events.
                var traffic = (round % 6) switch
                {
                    1 => DeviceTraffic.Stopped,
                    3 => DeviceTraffic.ControllersOnly,
                    _ => DeviceTraffic.Continues,
                };
                await context.TryActAsync(community, Free, act, ct, traffic).ConfigureAwait(false);
            }

            await context.Clock.Delay(period, ct).ConfigureAwait(false);
        }
    }

    /// <summary>An OSDP reader at a door that is free at the moment (the door is held for the act).</summary>
    private static void UnplugReader(ScenarioContext context, Random random)
    {
        var doors = context.Communities.SelectMany(c => c.Wiring.OsdpDoors.Select(d => (Community: c, Door: d))).ToList();
        for (var attempt = 0; attempt < 10 && doors.Count > 0; attempt++)
        {
            var (community, door) = doors[random.Next(doors.Count)];
            var reader = random.Next(door.OsdpReaders.Count);
            if (context.TryDoorAct(community, door, token => community.Doors.UnplugReaderAsync(door, reader, TimeSpan.FromSeconds(10), token)))
            {
                context.Note($"faults: {community.Id}'s OSDP reader {door.OsdpReaders[reader].Reader.Id} unplugged for 10 s");
                return;
            }
        }
    }

    /// <summary>A camera loses its cable for 35 s (offline once silent past 30 s), then is blinded when it is back.</summary>
    private static void UnplugCamera(ScenarioContext context, Random random)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var community = context.AnyCommunity();
            var camera = community.Wiring.Cameras[random.Next(community.Wiring.Cameras.Count)];
            if (context.TryCameraAct(community, camera, async token =>
                {
                    await community.Cameras.UnplugCameraAsync(camera, TimeSpan.FromSeconds(35), token).ConfigureAwait(false);
                    await community.Cameras.BlindAsync(camera, TimeSpan.FromSeconds(3), token).ConfigureAwait(false);
                }))
            {
                context.Note($"faults: {community.Id}'s camera {camera.Camera.Id} ({camera.Protocol}) unplugged for 35 s, then blinded");
                return;
            }
        }
    }

    private static async Task Unplug(ScenarioContext context, SimCommunity community, CancellationToken ct)
    {
        context.Note($"faults: {community.Id}'s I/O board unplugged for 5 s");
        await community.Alarms.UnplugAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
    }

    private static async Task CutUplink(ScenarioContext context, SimCommunity community, Random random, CancellationToken ct)
    {
        if (context.Gateways is not { } gateways)
        {
            return;
        }

        context.Note($"faults: {community.Id}'s uplink cut for 8 s; a guard presses a button meanwhile");
        gateways.CutUplink(community.Id);
        try
        {
            await Acts.Press(community, random)(ct).ConfigureAwait(false);
            await context.Clock.DelayReal(TimeSpan.FromSeconds(6), ct).ConfigureAwait(false);
        }
        finally
        {
            gateways.RestoreUplink(community.Id);
        }
    }

    private static async Task Kill(ScenarioContext context, SimCommunity community, CancellationToken ct)
    {
        var gateways = context.Gateways!;
        context.Note(string.Create(CultureInfo.InvariantCulture, $"faults: {community.Id}'s gateway killed; restarted in 5 s"));
        var subscriptions = community.Cameras.OnvifSubscriptions();
        await gateways.KillAsync(community.Id).ConfigureAwait(false);
        await context.Clock.DelayReal(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
        await gateways.RestartAsync(community.Id, ct).ConfigureAwait(false);
        context.Note($"faults: {community.Id}'s gateway restarted");
        // Its bridge and uplink reconnect, and it subscribes to its ONVIF cameras again, before the community is free
        // for the next act: a camera's motion before that is not the gateway's to see.
        if (!await community.Cameras.OnvifResubscribedAsync(subscriptions, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false))
        {
            context.Note($"faults: {community.Id}'s restarted gateway has not subscribed to all its ONVIF cameras within 30 s");
        }

        await context.Clock.DelayReal(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
    }
}
