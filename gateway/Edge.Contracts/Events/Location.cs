namespace Edge.Contracts.Events;

/// <summary>Where a device is installed within its community.</summary>
public sealed record Location(string? Building = null, string? Unit = null, string? Floor = null, string? Description = null);
