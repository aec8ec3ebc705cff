using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Gateway.Commands;

namespace Edge.Gateway.Access;

/// <summary>
/// <c>door.open</c> for arriving officers (<c>data.door</c>: the door's device id): a door behind an ISAPI access
/// controller is opened by the controller's remote control (<c>PUT /ISAPI/AccessControl/RemoteControl/door/{n}</c>),
/// which opens it for the controller's own unlock time and logs it like any opening. Doors the gateway runs itself
/// (GPIO, OSDP) have no lock output here yet: such a command fails and says so.
/// </summary>
public sealed class AccessDoorCommands(AccessOptions options, AccessControllerAdapter? controllers) : ICommandHandler
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

        return options.Doors.Any(d => d.Id == door) || options.OsdpReaders.Any(r => r.Door == door)
            ? new CommandEffect(false, $"door {door} is run by the gateway itself (GPIO or OSDP), which has no lock output for it yet")
            : new CommandEffect(false, $"no door {door} on this gateway");
    }
}
