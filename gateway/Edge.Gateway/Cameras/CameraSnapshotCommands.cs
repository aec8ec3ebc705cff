using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Topics;
using Edge.Gateway.Commands;

namespace Edge.Gateway.Cameras;

/// <summary>
/// <c>camera.snapshot</c> (<c>data.camera</c>: the camera's device id): the station asks a camera for a picture. It is
/// taken and published like an event's snapshot, on the media topic of the command's id, yielding to alarms as they do.
/// Applied means asked for: the picture follows, or the snapshot failures count why not.
/// </summary>
public sealed class CameraSnapshotCommands(SnapshotService snapshots, string community, string gateway) : ICommandHandler
{
    public IReadOnlyCollection<string> Types { get; } = [CommandTypes.CameraSnapshot];

    public Task<CommandEffect> ApplyAsync(StationCommand command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Data?["camera"] is not JsonValue value || !value.TryGetValue<string>(out var camera) || string.IsNullOrEmpty(camera))
        {
            return Task.FromResult(new CommandEffect(false, "data.camera must be the camera's device id"));
        }

        return Task.FromResult(snapshots.Ask(command.Id, camera)
            ? new CommandEffect(true, $"the snapshot follows on {Topic.Media(community, gateway, command.Id)}")
            : new CommandEffect(false, $"no camera {camera} on this gateway, or too many snapshots waiting"));
    }
}
