using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Alarms;
using Edge.Simulator.Station;
using Edge.Tests.Support;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Tests.Station;

/// <summary>
/// The real desk on a real gateway: a guard presses the column, the alarm is at the desk's API and on its live stream,
/// an operator acknowledges it there, and the column at the simulated hardware shows it; the gateway's answer lands
/// on the step. Logins, the action header and bad messages on the broker are checked on the same rig.
/// </summary>
public sealed class DeskEndToEndTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private DeskRig _rig = null!;

    private StationDesk Desk => _rig.Desk;

    public async ValueTask InitializeAsync() => _rig = await DeskRig.StartAsync(_dir);

    private HttpClient Anonymous() => new() { BaseAddress = Desk.Url };

    private async Task<HttpClient> LoggedInAsync(string name, string password)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = Desk.Url };
        (await client.PostAsJsonAsync("/api/login", new { name, password })).EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Add("X-Edge-Desk", "1");
        return client;
    }

    [Fact]
    public async Task A_press_reaches_the_desk_and_its_acknowledgement_reaches_the_column()
    {
        using var gw = _rig.Gateway("<b>Guard room</b><script>alert(1)</script>");
        await _rig.StartAsync(gw);
        using var duty = await LoggedInAsync(StationDesk.DutyOperator, Desk.DutyPassword);
        using var stream = await duty.GetStreamAsync(new Uri("/api/stream", UriKind.Relative));
        using var events = new StreamReader(stream);

        _rig.Press();
        JsonArray open = [];
        await Eventually.True(() => (open = duty.GetFromJsonAsync<JsonArray>("/api/alarms?state=open").Result!).Count == 1, "the alarm open at the desk");
        var alarm = open[0]!.AsObject();
        var id = (string)alarm["id"]!;
        Assert.Equal(("c001", "gw1", "alarm.panic", "btn-guardroom"), ((string)alarm["community"]!, (string)alarm["gateway"]!, (string)alarm["type"]!, (string)alarm["device"]!["id"]!));
        Assert.Equal("<b>Guard room</b><script>alert(1)</script>", (string)alarm["device"]!["name"]!);
        Assert.Equal(["acknowledge"], alarm["next"]!.AsArray().Select(n => (string)n!));

        // The page heard of it on the live stream without asking.
        string? line;
        do
        {
            line = await events.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        while (line is not null && !line.StartsWith("event: alarm", StringComparison.Ordinal));
        Assert.Contains(id, await events.ReadLineAsync(), StringComparison.Ordinal);

        var acknowledged = await duty.PostAsync(new Uri($"/api/alarms/{id}/acknowledge", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        var columns = gw.AlarmsFeature.Columns!;
        await Eventually.True(() => columns.StateOf("btn-guardroom") == ColumnState.Acknowledged, "the column shows the police took it");
        await Eventually.True(() => Step(duty, id, "acknowledge")?["outcome"]?.GetValue<string>() == "applied", "the gateway's answer on the step");
        Assert.Equal(StationDesk.DutyOperator, (string)Step(duty, id, "acknowledge")!["by"]!);

        // A step out of order is refused and changes nothing.
        var early = await duty.PostAsync(new Uri($"/api/alarms/{id}/reinforced", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);

        (await duty.PostAsync(new Uri($"/api/alarms/{id}/dispatch", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await Eventually.True(() => columns.StateOf("btn-guardroom") == ColumnState.Dispatched, "officers on their way");
        (await duty.PostAsync(new Uri($"/api/alarms/{id}/resolve", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await Eventually.True(() => columns.StateOf("btn-guardroom") == ColumnState.Idle, "resolved");
        Assert.Empty((await duty.GetFromJsonAsync<JsonArray>("/api/alarms?state=open"))!);
        var history = (await duty.GetFromJsonAsync<JsonArray>("/api/alarms?state=all&community=c001&type=alarm.panic"))!;
        Assert.Equal("resolved", (string)Assert.Single(history)!["state"]!);
        var audit = (await duty.GetFromJsonAsync<JsonArray>("/api/audit"))!.Select(a => ((string)a!["operator"]!, (string)a["action"]!)).ToList();
        Assert.Contains((StationDesk.DutyOperator, "acknowledge"), audit);
        Assert.Contains((StationDesk.DutyOperator, "resolve"), audit);
        var gateways = (await duty.GetFromJsonAsync<JsonArray>("/api/gateways"))!;
        Assert.True((bool)Assert.Single(gateways)!["online"]!);
        await gw.StopAsync(default);
    }

    private static JsonObject? Step(HttpClient client, string alarm, string step) =>
        client.GetFromJsonAsync<JsonObject>($"/api/alarms/{alarm}").Result!["steps"]!.AsArray().FirstOrDefault(s => (string)s!["step"]! == step)?.AsObject();

    [Fact]
    public async Task Only_operators_get_in_and_every_attempt_is_audited()
    {
        using var anonymous = Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/alarms", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(new Uri($"/api/alarms/{Guid.NewGuid()}/acknowledge", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/login", new { name = "duty", password = "guess" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/login", new { name = "nobody", password = "guess" })).StatusCode);
        var page = await anonymous.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("/login", page.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

        using var duty = await LoggedInAsync(StationDesk.DutyOperator, Desk.DutyPassword);
        var index = await duty.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("id=\"alarms\"", index, StringComparison.Ordinal);
        var refused = (await duty.GetFromJsonAsync<JsonArray>("/api/audit"))!.Where(a => (string)a!["action"]! == "login-refused").Select(a => (string)a!["operator"]!);
        Assert.Equal(["nobody", "duty"], refused);

        // Guessing is cut off after the limit per address. Twice the limit within a minute cannot fit in the limiter's
        // windows, wherever their boundary falls.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 2 * Edge.Station.DeskApp.LoginAttemptsPerMinute; i++)
        {
            answers.Add((await anonymous.PostAsJsonAsync("/api/login", new { name = "duty", password = $"guess-{i}" })).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.DoesNotContain(HttpStatusCode.OK, answers);

        // A step without the desk's header (a form posted from another site) is refused.
        duty.DefaultRequestHeaders.Remove("X-Edge-Desk");
        Assert.Equal(HttpStatusCode.BadRequest, (await duty.PostAsync(new Uri($"/api/alarms/{Guid.NewGuid()}/acknowledge", UriKind.Relative), null)).StatusCode);
    }

    [Fact]
    public async Task Bad_messages_on_the_broker_are_quarantined_and_good_ones_still_arrive()
    {
        using var publisher = new MqttClientFactory().CreateMqttClient();
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _rig.Broker.Port).WithClientId("noise").Build());
        async Task Publish(string topic, byte[] payload) => await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var good = DeskFixtures.Event(EventTypes.AlarmPanic, 1, DateTimeOffset.UtcNow);
        await Publish(Topic.Event(good), "{\"id\":"u8.ToArray());
        await Publish(Topic.Media("c001", "gw1", good.Id), "<html>"u8.ToArray());
        await Publish(Topic.Status("c404", "gw1"), Payloads.Encode(new Edge.Contracts.Status.GatewayStatus(Edge.Contracts.Status.GatewayState.Online, "c001", "gw1", "1", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow)));
        await Publish(Topic.Event(good), Payloads.Encode(good with { ObservedAt = DateTimeOffset.UtcNow.AddDays(2) }));
        await Publish(Topic.Event(good), Payloads.Encode(good));

        using var duty = await LoggedInAsync(StationDesk.DutyOperator, Desk.DutyPassword);
        await Eventually.True(() => duty.GetFromJsonAsync<JsonArray>("/api/alarms").Result!.Count == 1, "the good alarm");
        await Eventually.True(() => duty.GetFromJsonAsync<JsonArray>("/api/quarantine").Result!.Count == 4, "four quarantined");
        Assert.Equal(good.Id.ToString(), (string)(await duty.GetFromJsonAsync<JsonArray>("/api/alarms"))![0]!["id"]!);
        using var anonymous = Anonymous();
        var health = (await anonymous.GetFromJsonAsync<JsonObject>("/healthz"))!;
        Assert.Equal(4, (long)health["counts"]!["quarantined"]!);
        Assert.Equal(1, (long)health["counts"]!["alarms"]!);
    }

    public async ValueTask DisposeAsync()
    {
        await _rig.DisposeAsync();
        _dir.Dispose();
    }
}
