using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Events;
using Edge.Gateway.Commands;
using Edge.Gateway.Events;

namespace Edge.Gateway.Access;

/// <summary>
/// <c>door.open</c> for arriving officers (<c>data.door</c>: the door's device id), through whatever runs the door: a
/// door behind an ISAPI access controller is opened by the controller's remote control
/// (<c>PUT /ISAPI/AccessControl/RemoteControl/door/{n}</c>), which opens it for the controller's own unlock time and
/// logs it (it comes as <c>access.granted</c>, reason <c>remote</c>); a door on the gateway's GPIO by its lock output
/// (<see cref="GpioDoorOptions.LockPin"/>) for its <c>UnlockFor</c>, reported by the gateway as the same
/// <c>access.granted</c>; a door behind OSDP readers by the output of the reader that drives its lock
/// (<see cref="OsdpReaderOptions.LockOutput"/>, osdp_OUT on the reader's own timer), reported the same way. A door
/// without a lock output the gateway drives fails, and says which key would give it one.
/// </summary>
public sealed class AccessDoorCommands(AccessOptions options, AccessControllerAdapter? controllers, IReadOnlyDictionary<string, GpioDoorAdapter> gpioDoors,
    IReadOnlyList<Osdp.OsdpReaderLink> osdpReaders, IEventSink sink, TimeProvider time) : ICommandHandler
{
    public IReadOnlyCollection<string> Types { get; } = [CommandTypes.DoorOpen];

    public async Task<CommandEffect> ApplyAsync(StationCommand command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Data?["door"] is not JsonValue value || !value.TryGetValue<string>(out var door) || string.IsNullOrEmpty(door))
        {
            return new CommandEffect(false, "data.door must be the door's device id");
        }

        foreach (var controller in options.Controllers)
        {
            if (controller.Doors.FirstOrDefault(d => d.Id == door) is { } d && controllers is not null)
            {
                return await controllers.Client(controller.Id).OpenDoorAsync(d.Number, ct).ConfigureAwait(false)
                    ? new CommandEffect(true)
                    : new CommandEffect(false, $"controller {controller.Id} did not open door {d.Number} (unreachable, or it refused)");
            }
        }

        if (gpioDoors.TryGetValue(door, out var gpio))
        {
            if (!gpio.Release())
            {
                var index = options.Doors.FindIndex(o => o.Id == door);
                return new CommandEffect(false, $"door {door} has no lock output (Edge:Access:Doors:{index}:LockPin)");
            }

            await RemoteAsync(gpio.Device, door, command, ct).ConfigureAwait(false);
            return new CommandEffect(true);
        }

        var readers = osdpReaders.Where(r => r.Options.Door == door).ToList();
        if (readers.Count == 0)
        {
            return new CommandEffect(false, $"no door {door} on this gateway");
        }

        if (readers.FirstOrDefault(r => r.Options.LockOutput is not null) is not { } driver)
        {
            var index = options.OsdpReaders.FindIndex(o => o.Door == door);
            return new CommandEffect(false, $"door {door} has no lock output on its OSDP readers (Edge:Access:OsdpReaders:{index}:LockOutput)");
        }

        if (!driver.ReleaseLock())
        {
            return new CommandEffect(false, $"OSDP reader {driver.Id}, which drives door {door}'s lock, is offline");
        }

        await RemoteAsync(driver.Options.DoorDevice, door, command, ct).ConfigureAwait(false);
        return new CommandEffect(true);
    }

    /// <summary>The opening as the station sees every opening from afar: access granted at the door, reason remote.</summary>
    private Task RemoteAsync(DeviceRef device, string door, StationCommand command, CancellationToken ct) =>
        sink.SubmitAsync(new EventDraft(EventTypes.AccessGranted, Priority.Normal, device, null, time.GetUtcNow(),
            new JsonObject { ["door"] = door, ["reason"] = "remote", ["command"] = command.Id.ToString("D") }), ct);
}
