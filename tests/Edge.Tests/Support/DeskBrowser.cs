using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Edge.Tests.Support;

/// <summary>
/// Debian's chromium, headless, driven by Selenium through Debian's chromedriver (nothing downloads a browser of its
/// own), logged in at the police desk. Tests skip with a visible reason where they are not installed; .ci/run installs
/// them.
/// </summary>
public sealed class DeskBrowser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    private DeskBrowser(ChromeDriver driver) => Driver = driver;

    public IWebDriver Driver { get; }

    /// <summary>Why there is no browser here, or null when there is one.</summary>
    public static string? Missing =>
        File.Exists(ChromiumPath) && File.Exists(DriverPath) ? null : "chromium is not installed (apt-get install chromium chromium-driver; .ci/run installs them)";

    /// <summary>Opens the desk's login page and logs in as <paramref name="name"/>.</summary>
    public static DeskBrowser LogIn(Uri desk, string name, string password, int width = 1600, int height = 1000)
    {
        ArgumentNullException.ThrowIfNull(desk);
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", $"--window-size={width},{height}", "--lang=zh-CN");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var browser = new DeskBrowser(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)));
        browser.Driver.Navigate().GoToUrl(new Uri(desk, "/login"));
        browser.Driver.FindElement(By.Id("name")).SendKeys(name);
        browser.Driver.FindElement(By.Id("password")).SendKeys(password);
        browser.Driver.FindElement(By.Id("login")).Click();
        return browser;
    }

    /// <summary>True once the page is logged in and its live stream is open.</summary>
    public bool Live => Driver.FindElements(By.Id("connection")).FirstOrDefault()?.Text.Contains("Live", StringComparison.Ordinal) == true;

    /// <summary>The open alarms' rows on the page now.</summary>
    public IReadOnlyList<IWebElement> AlarmRows() => Driver.FindElements(By.CssSelector("#alarms tr[data-alarm-id]"));

    public IWebElement? AlarmRow(string id) => Driver.FindElements(By.CssSelector($"#alarms tr[data-alarm-id='{id}']")).FirstOrDefault();

    /// <summary>
    /// Reads the page again until it holds still: the page replaces an alarm's row whenever the alarm changes (a
    /// picture, the device restored), so an element found a moment ago may be gone.
    /// </summary>
    public static T Fresh<T>(Func<T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return read();
            }
            catch (StaleElementReferenceException) when (attempt < 50)
            {
            }
        }
    }

    /// <summary>Saves what the page shows as a PNG.</summary>
    public void Screenshot(string path) => ((ITakesScreenshot)Driver).GetScreenshot().SaveAsFile(path);

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
