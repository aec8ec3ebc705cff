using System.Text.Json.Nodes;
using Json.Schema;

namespace Edge.Tests.Support;

/// <summary>The contract's JSON Schemas from docs/schemas, as copied beside the tests.</summary>
public static class Schemas
{
    public static JsonSchema Event { get; } = Load("event.schema.json");

    public static JsonSchema Status { get; } = Load("status.schema.json");

    public static JsonSchema Heartbeat { get; } = Load("heartbeat.schema.json");

    public static JsonSchema Command { get; } = Load("command.schema.json");

    public static JsonSchema Result { get; } = Load("result.schema.json");

    private static JsonSchema Load(string name) =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schemas", name)));

    /// <summary>Fails the test with the schema's complaints when <paramref name="json"/> does not match.</summary>
    public static void AssertValid(JsonSchema schema, byte[] json)
    {
        var result = schema.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = result.Details.Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(result.IsValid, $"payload does not match {schema.BaseUri}: {string.Join("; ", errors)}\n{System.Text.Encoding.UTF8.GetString(json)}");
    }

    public static bool IsValid(JsonSchema schema, string json) => schema.Evaluate(JsonNode.Parse(json)).IsValid;
}
