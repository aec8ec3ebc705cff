namespace Edge.Gateway.Alarms;

/// <summary>How an alarm button's dry contact rests when nobody presses it.</summary>
public enum ContactType
{
    NormallyOpen,
    NormallyClosed,
}

/// <summary>Which way the input is biased when the contact is open.</summary>
public enum InputPull
{
    Up,
    Down,
}

/// <summary>The electrical side of a button: what level at the pin means "pressed".</summary>
public sealed record ButtonWiring(ContactType Contact = ContactType.NormallyOpen, InputPull Pull = InputPull.Up)
{
    /// <summary>
    /// The pin level (true = high) while pressed. A pulled-up input reads low when a normally-open contact closes to
    /// ground, and high when a normally-closed one opens; pull-down inverts both.
    /// </summary>
    public bool PressedLevel => (Contact == ContactType.NormallyOpen) ^ (Pull == InputPull.Up);
}
