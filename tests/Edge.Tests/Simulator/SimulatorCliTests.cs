using Edge.Simulator.Cli;

namespace Edge.Tests.Simulator;

public sealed class SimulatorCliTests
{
    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("500ms", 0.5)]
    [InlineData("2.5", 2.5)]
    public void Durations_are_seconds_or_a_number_with_a_unit(string text, double seconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("5x")]
    [InlineData("99999999h")]
    public void Nonsense_durations_are_refused(string text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData("run", "--duration", "soon")]
    [InlineData("run", "--communities", "0")]
    [InlineData("run", "--broker", "http://x")]
    [InlineData("run", "--scenario", "picnic")]
    [InlineData("run", "--speed", "0")]
    [InlineData("run", "--communities", "1904")]
    [InlineData("run", "--shard", "3/2")]
    [InlineData("topology", "--shard", "0/4")]
    [InlineData("merge")]
    [InlineData("hardware", "--bridge-port", "70000")]
    [InlineData("fly")]
    public async Task Bad_arguments_exit_non_zero_with_a_message(params string[] args)
    {
        using var output = new StringWriter();
        var parse = SimulatorCli.Build(output).Parse(args);

        var code = await parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });

        Assert.NotEqual(0, code);
        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public async Task Topology_writes_the_configurations_of_one_shard_of_the_whole_district()
    {
        using var dir = new Edge.Tests.Support.TempDirectory();
        using var output = new StringWriter();

        var code = await SimulatorCli.Build(output).Parse(["topology", "--communities", "1903", "--shard", "66/300", "--write", dir.Path])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });

        Assert.Equal(0, code);
        Assert.StartsWith("7 sites (5 communities, 1 campus, 1 hospital)", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(["c066", "c1266", "c366", "c666", "c966", "h01", "u078"], Directory.GetDirectories(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Merge_of_a_report_that_is_not_there_names_it()
    {
        using var output = new StringWriter();

        var code = await SimulatorCli.Build(output).Parse(["merge", "/nonexistent/s1.json"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });

        Assert.Equal(2, code);
        Assert.Contains("no report at '/nonexistent/s1.json'", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_scenario_names_the_ones_there_are()
    {
        using var output = new StringWriter();

        var parse = SimulatorCli.Build(output).Parse(["run", "--scenario", "picnic"]);

        var error = Assert.Single(parse.Errors).Message;
        Assert.Contains("picnic", error, StringComparison.Ordinal);
        Assert.Contains("outage", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_fuzz_run_from_the_command_line_delivers_every_press_and_says_so()
    {
        using var output = new StringWriter();

        var code = await SimulatorCli.Build(output).Parse(["run", "--communities", "3", "--duration", "3", "--scenario", "fuzz", "--quiet"]).InvokeAsync();

        var text = output.ToString();
        Assert.True(code == 0, text);
        Assert.Contains("3 (in-process), 3 online at the end", text, StringComparison.Ordinal);
        Assert.Matches(@"the simulator caused ([1-9]\d*), the station received \1, lost 0", text);
        Assert.Contains("unexpected 0", text, StringComparison.Ordinal);
        Assert.Contains("result       OK", text, StringComparison.Ordinal);
    }
}
