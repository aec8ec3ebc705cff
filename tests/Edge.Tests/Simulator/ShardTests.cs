using Edge.Simulator.District;
using Edge.Simulator.Gateways;
using Edge.Simulator.Report;
using Edge.Simulator.Topology;
using Edge.Tests.Support;

namespace Edge.Tests.Simulator;

/// <summary>
/// A district split across processes (<c>--shard i/n</c>) on one broker: the shards deal the sites out between them,
/// each shard's probe checks its own sites and not its neighbours', and the merge of their reports adds up and notices
/// a shard that is missing or there twice.
/// </summary>
public sealed class ShardTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public void The_shards_deal_out_every_site_once(int count)
    {
        var all = DistrictTopology.Generate(1, DistrictFigures.Sites).Select(c => c.Id).ToList();

        var dealt = Enumerable.Range(1, count).SelectMany(i => DistrictRun.Sites(new RunSettings { Communities = DistrictFigures.Sites, Shard = new Shard(i, count) })).Select(c => c.Id).ToList();

        Assert.Equal(all.Order(StringComparer.Ordinal), dealt.Order(StringComparer.Ordinal));
        Assert.All(Enumerable.Range(1, count), i => Assert.InRange(DistrictRun.Sites(new RunSettings { Communities = DistrictFigures.Sites, Shard = new Shard(i, count) }).Count,
            DistrictFigures.Sites / count, (DistrictFigures.Sites / count) + 1));
    }

    [Fact]
    public async Task A_shard_with_no_site_or_with_the_police_desk_is_refused_before_it_starts()
    {
        var empty = Assert.Throws<RunStartException>(() => DistrictRun.Sites(new RunSettings { Communities = 3, Shard = new Shard(4, 4) }));
        Assert.Contains("n may be at most the number of sites", empty.Message, StringComparison.Ordinal);

        using var output = new StringWriter();
        var code = await DistrictRun.RunAsync(new RunSettings { Communities = 4, Shard = new Shard(1, 2), Scenario = "response", Verbosity = Verbosity.Quiet },
            output, TestContext.Current.CancellationToken);
        Assert.Equal(2, code);
        Assert.Contains("the police desk", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_run_report_is_named_by_merge()
    {
        var file = _dir.Combine("other.json");
        File.WriteAllText(file, "{}");

        var refused = Assert.Throws<InvalidDataException>(() => ShardMerge.Read([file]));
        Assert.Contains("is not a run report", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0/2")]
    [InlineData("3/2")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("-1/2")]
    [InlineData("1/2/3")]
    public void A_shard_that_is_not_i_of_n_is_refused(string text)
    {
        Assert.Null(Shard.Parse(text, out var problem));
        Assert.Contains(text, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_shards_on_one_broker_check_their_own_sites_and_their_reports_merge()
    {
        using var mosquitto = await Mosquitto.StartAsync(_dir.Path);
        var paths = new[] { _dir.Combine("shard-1.json"), _dir.Combine("shard-2.json") };

        // A storm presses every guard-room button once: two alarms per site, an exact count for each shard.
        var outputs = new[] { new StringWriter(), new StringWriter() };
        var codes = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => DistrictRun.RunAsync(new RunSettings
        {
            Communities = 6, Shard = new Shard(i + 1, 2), Scenario = "storm", Duration = TimeSpan.FromSeconds(8), Broker = new Uri(mosquitto.Uri),
            ReportPath = paths[i], Verbosity = Verbosity.Quiet, DataDirectory = _dir.Combine($"data-{i}"),
        }, outputs[i], TestContext.Current.CancellationToken)));

        // Each shard's probe saw its three sites' alarms and none of the other shard's (which would be unexpected).
        Assert.True(codes.All(c => c == 0), string.Join("\n", outputs.Select(o => o.ToString())));
        Assert.Contains("3 communities (shard 1/2 of the first 6 sites)", outputs[0].ToString(), StringComparison.Ordinal);
        var merge = ShardMerge.Read(paths);
        Assert.True(merge.Ok, string.Join("; ", merge.Problems));
        Assert.Equal((2, 6, 6), (merge.Shards, merge.Sites, merge.Gateways));
        Assert.Equal((12L, 12L, 0L, 0L), (merge.Events.Generated, merge.Events.Delivered, merge.Events.Lost, merge.Events.Unexpected));
        Assert.Equal(12, merge.LatencyMs["alarm"].Count);

        // One shard twice and none of the other: both named.
        var wrong = ShardMerge.Read([paths[0], paths[0]]);
        Assert.False(wrong.Ok);
        Assert.Contains(wrong.Problems, p => p.StartsWith("shard 1/2 is there 2 times", StringComparison.Ordinal));
        Assert.Contains(wrong.Problems, p => p.StartsWith("missing the report of shard 2/2", StringComparison.Ordinal));
    }

    /// <summary>A shard of the whole district holds campuses and hospitals, whose gateways deliver like a community's.</summary>
    [Fact]
    public async Task A_shard_with_a_campus_and_a_hospital_delivers_their_alarms()
    {
        var shard = new Shard(66, 300);
        var sites = DistrictRun.Sites(new RunSettings { Communities = DistrictFigures.Sites, Shard = shard });
        Assert.Contains(sites, c => c.Kind == SiteKind.Campus);
        Assert.Contains(sites, c => c.Kind == SiteKind.Hospital);

        using var output = new StringWriter();
        var code = await DistrictRun.RunAsync(new RunSettings
        {
            Communities = DistrictFigures.Sites, Shard = shard, Scenario = "storm", Duration = TimeSpan.FromSeconds(8),
            ReportPath = _dir.Combine("report.json"), Verbosity = Verbosity.Quiet, DataDirectory = _dir.Combine("data"),
        }, output, TestContext.Current.CancellationToken);

        Assert.True(code == 0, output.ToString());
        var merge = ShardMerge.Read([_dir.Combine("report.json")]);
        Assert.Equal(2L * sites.Count, merge.Events.Delivered);
        Assert.Contains(merge.Problems, p => p.StartsWith("missing the report of shard 1/300", StringComparison.Ordinal));
    }

    /// <summary>A district too large for one process's open files is refused before anything starts, with the shards it needs.</summary>
    [Fact]
    public void A_run_that_would_run_out_of_open_files_is_refused_before_it_starts()
    {
        Assert.SkipWhen(OpenFiles.Limit() is null, "no /proc/self/limits on this system");
        var all = DistrictTopology.Generate(1, DistrictFigures.Sites);
        var settings = new RunSettings { Communities = DistrictFigures.Sites };
        var needed = OpenFiles.Needed(all);
        Assert.InRange(needed, 150_000, 170_000);

        if (needed > OpenFiles.Limit() * 0.95)
        {
            var refused = Assert.Throws<RunStartException>(() => OpenFiles.ThrowIfTooFew(all, settings));
            Assert.Contains("split the run across processes with --shard i/n", refused.Message, StringComparison.Ordinal);
        }
        else
        {
            OpenFiles.ThrowIfTooFew(all, settings);
        }

        // The retrofit's 312 communities need about 17,600: within the 20,000 a CI machine gives.
        Assert.InRange(OpenFiles.Needed(DistrictTopology.Generate(1)), 17_000, 18_500);
        OpenFiles.ThrowIfTooFew(DistrictTopology.Generate(1, 40), new RunSettings { Communities = 40 });
    }

    public void Dispose() => _dir.Dispose();
}
