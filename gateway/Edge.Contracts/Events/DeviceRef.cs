namespace Edge.Contracts.Events;

/// <summary>The device an event comes from, as configured on the gateway.</summary>
/// <param name="Id">Unique within the gateway; a topic segment, so letters, digits, '-' and '_' only.</param>
/// <param name="Kind">What the device is, for example <c>alarm-button</c>, <c>zone</c>, <c>door</c>, <c>reader</c>, <c>camera</c>, <c>gateway</c>.</param>
public sealed record DeviceRef(string Id, string Kind, string? Name = null, Location? Location = null);
