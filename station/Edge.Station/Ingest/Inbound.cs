using Edge.Contracts.Commands;
using Edge.Contracts.Events;
using Edge.Contracts.Status;

namespace Edge.Station.Ingest;

/// <summary>One message from the station broker, read and checked: what the store does with it depends on its kind.</summary>
public abstract record Inbound(string Community, string Gateway);

/// <summary>An event of the contract, with the time the desk received it.</summary>
public sealed record InboundEvent(EdgeEvent Event, byte[] Payload, DateTimeOffset ReceivedAt) : Inbound(Event.Community, Event.Gateway);

/// <summary>A gateway's retained status (online, or offline with a reason).</summary>
public sealed record InboundStatus(GatewayStatus Status, DateTimeOffset ReceivedAt) : Inbound(Status.Community, Status.Gateway);

public sealed record InboundHeartbeat(Heartbeat Heartbeat, DateTimeOffset ReceivedAt) : Inbound(Heartbeat.Community, Heartbeat.Gateway);

/// <summary>A snapshot (a JPEG) taken for an event.</summary>
public sealed record InboundPicture(string PictureCommunity, string PictureGateway, Guid EventId, byte[] Jpeg, DateTimeOffset ReceivedAt)
    : Inbound(PictureCommunity, PictureGateway);

/// <summary>A gateway's answer to one of the desk's commands.</summary>
public sealed record InboundResult(CommandResult Result) : Inbound(Result.Community, Result.Gateway);

/// <summary>Something that is not what its topic promises: kept aside with the reason, never shown as an alarm.</summary>
public sealed record Quarantined(string Topic, string Reason, byte[] Payload, DateTimeOffset ReceivedAt) : Inbound("", "");
