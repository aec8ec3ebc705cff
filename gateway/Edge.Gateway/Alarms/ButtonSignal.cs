namespace Edge.Gateway.Alarms;

/// <summary>What a debounced alarm button says.</summary>
public enum ButtonSignalKind
{
    /// <summary>Pressed (after debounce); <see cref="ButtonSignal.At"/> is the first edge of the press.</summary>
    Pressed,

    /// <summary>Released (after debounce).</summary>
    Released,

    /// <summary>Held past the duress time: a silent duress signal.</summary>
    Duress,

    /// <summary>Held past the stuck time: a fault (jammed button, shorted wire), reported once per press.</summary>
    Stuck,
}

/// <summary>One signal of a button, with the time of the physical act it stands for.</summary>
public readonly record struct ButtonSignal(ButtonSignalKind Kind, DateTimeOffset At);
