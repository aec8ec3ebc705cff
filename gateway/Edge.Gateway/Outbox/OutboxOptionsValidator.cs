using Edge.Gateway.Configuration;

namespace Edge.Gateway.Outbox;

/// <summary>Validates <c>Edge:Outbox</c>.</summary>
public static class OutboxOptionsValidator
{
    public static void Validate(OutboxOptions options, ConfigCheck check)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(check);
        check.AtLeast(nameof(options.MaxBytes), options.MaxBytes, 64 * 1024);
        check.Range(nameof(options.BatchSize), options.BatchSize, 1, 100_000);
        check.Range(nameof(options.IntakeCapacity), options.IntakeCapacity, 1, 10_000_000);
        check.Defined(nameof(options.Durability), options.Durability);
    }
}
