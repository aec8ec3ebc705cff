using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Alarms;
using Edge.Simulator.Station;
using Edge.Tests.Support;
using MQTTnet;
using MQTTnet.Protocol;
using OpenQA.Selenium;

namespace Edge.Tests.Station;

/// <summary>
/// The police desk in a real browser (Debian's chromium): a press in the simulated guard room appears on the page
/// without a reload, acknowledging it on the page changes the column at the simulated hardware, an overdue alarm
/// escalates on the page, and device text with markup is shown as text.
/// </summary>
public sealed class DeskBrowserTests : IAsyncLifetime
{
    private const string MarkupName = "<img src=x onerror=\"document.title='owned'\"><b>Guard room</b>";
    private readonly TempDirectory _dir = new();
    private DeskRig? _rig;

    private StationDesk Desk => _rig!.Desk;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipWhen(DeskBrowser.Missing is not null, DeskBrowser.Missing ?? "");
        _rig = await DeskRig.StartAsync(_dir);
    }

    [Fact]
    public async Task A_press_appears_without_a_reload_and_acknowledging_it_on_the_page_reaches_the_column()
    {
        using var gw = _rig!.Gateway(MarkupName);
        await _rig.StartAsync(gw);
        using var browser = DeskBrowser.LogIn(Desk.Url, StationDesk.DutyOperator, Desk.DutyPassword);
        await Eventually.True(() => browser.Live, "the page is live");
        var page = browser.Driver.Url;

        _rig.Press();
        await Eventually.True(() => browser.AlarmRows().Count == 1, "the alarm on the page");
        Assert.Equal(page, browser.Driver.Url);
        var id = DeskBrowser.Fresh(() => browser.AlarmRows()[0].GetAttribute("data-alarm-id"))!;
        Assert.Equal(MarkupName, DeskBrowser.Fresh(() => browser.AlarmRow(id)!.FindElement(By.CssSelector(".device-name")).Text));
        Assert.Empty(DeskBrowser.Fresh(() => browser.AlarmRow(id)!.FindElements(By.CssSelector("img:not(.picture), b, script"))));
        Assert.NotEqual("owned", browser.Driver.Title);

        DeskBrowser.Fresh(() =>
        {
            browser.AlarmRow(id)!.FindElement(By.CssSelector("button[data-step='acknowledge']")).Click();
            return true;
        });
        await Eventually.True(() => gw.AlarmsFeature.Columns!.StateOf("btn-guardroom") == ColumnState.Acknowledged, "the column shows the police took it");
        await Eventually.True(() => DeskBrowser.Fresh(() => browser.AlarmRow(id)?.FindElements(By.CssSelector("button[data-step='dispatch']")).Count == 1),
            "the page offers the next step");
        await Eventually.True(() => DeskBrowser.Fresh(() => browser.AlarmRow(id)!.FindElement(By.CssSelector(".results")).Text.Contains("applied", StringComparison.Ordinal)),
            "the gateway's answer on the page");
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task An_alarm_not_acknowledged_within_the_minute_escalates_on_the_page()
    {
        using var browser = DeskBrowser.LogIn(Desk.Url, StationDesk.DutyOperator, Desk.DutyPassword);
        await Eventually.True(() => browser.Live, "the page is live");

        // An alarm raised 70 s ago (read back from a controller's log after an outage, say): its minute is over.
        var at = DateTimeOffset.UtcNow.AddSeconds(-70);
        var late = DeskFixtures.Event(EventTypes.AlarmPanic, 1, at);
        using var gateway = new MqttClientFactory().CreateMqttClient();
        await gateway.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _rig!.Broker.Port).WithClientId("gw-late").Build());
        await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topic.Event(late)).WithPayload(Payloads.Encode(late))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        await Eventually.True(() => DeskBrowser.Fresh(() => browser.AlarmRow(late.Id.ToString())?.GetAttribute("class")?.Contains("overdue", StringComparison.Ordinal) == true),
            "the row marked overdue");
        await Eventually.True(() => DeskBrowser.Fresh(() => browser.AlarmRow(late.Id.ToString())!.FindElement(By.CssSelector(".countdown")).Text.Contains("超时", StringComparison.Ordinal)),
            "the countdown says overdue");
        await Eventually.True(() => System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>(Desk.Api, "/api/audit").Result!
            .Any(a => (string)a!["action"]! == "escalate" && (string)a["target"]! == late.Id.ToString()), "the escalation in the audit log");
    }

    public async ValueTask DisposeAsync()
    {
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
        }

        _dir.Dispose();
    }
}
