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
/// <c>access.granted</c>. A door without a lock output the gateway drives fails, and says which key would give it one.
/// </summary>
public sealed class AccessDoorCommands(AccessOptions options, AccessControllerAdapter? controllers, IReadOnlyDictionary<string, GpioDoorAdapter> gpioDoors,
    IEventSink sink, TimeProvider time) : ICommandHandler
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

            await sink.SubmitAsync(new EventDraft(EventTypes.AccessGranted, Priority.Normal, gpio.Device, null, time.GetUtcNow(),
                new JsonObject { ["door"] = door, ["reason"] = "remote", ["command"] = command.Id.ToString("D") }), ct).ConfigureAwait(false);
            return new CommandEffect(true);
        }

        return options.OsdpReaders.Any(r => r.Door == door)
            ? new CommandEffect(false, $"door {door} is run by OSDP readers, which have no lock output here yet")
            : new CommandEffect(false, $"no door {door} on this gateway");
    }
}
