using Microsoft.Extensions.Options;

namespace Edge.Gateway.Outbox;

/// <summary>Validates <c>Edge:Outbox</c>; every message names the key.</summary>
public sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string s = OutboxOptions.Section;
        if (options.MaxBytes < 64 * 1024)
        {
            errors.Add($"{s}:MaxBytes {options.MaxBytes} must be at least 65536");
        }

        if (options.BatchSize is < 1 or > 100_000)
        {
            errors.Add($"{s}:BatchSize {options.BatchSize} must be 1-100000");
        }

        if (options.IntakeCapacity is < 1 or > 10_000_000)
        {
            errors.Add($"{s}:IntakeCapacity {options.IntakeCapacity} must be 1-10000000");
        }

        if (!Enum.IsDefined(options.Durability))
        {
            errors.Add($"{s}:Durability must be Full or Normal");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
