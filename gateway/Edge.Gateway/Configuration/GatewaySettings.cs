using Microsoft.Extensions.Options;

namespace Edge.Gateway.Configuration;

/// <summary>Everything one gateway instance is configured with; the simulator builds many of these in one process.</summary>
public sealed record GatewaySettings(GatewayOptions Gateway, OutboxOptions Outbox, UplinkOptions Uplink, TestEventOptions TestEvents)
{
    /// <summary>Every problem with the settings, each naming its key; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Collect(errors, new GatewayOptionsValidator().Validate(null, Gateway));
        Collect(errors, new OutboxOptionsValidator().Validate(null, Outbox));
        Collect(errors, new UplinkOptionsValidator().Validate(null, Uplink));
        Collect(errors, new TestEventOptionsValidator().Validate(null, TestEvents));
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException("Edge", typeof(GatewaySettings), errors);
        }
    }

    private static void Collect(List<string> errors, ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            errors.AddRange(result.Failures);
        }
    }
}
