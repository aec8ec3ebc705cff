using System.Globalization;

namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// The district's cameras through the day: motion along the <see cref="DailyCurve"/> (24 times per camera per day on
/// average, 2-6 s each; one ISAPI camera in three never says when motion ends), and now and then a camera blinded for
/// a few seconds (0.05 per camera per day), which is a camera.tamper with the camera's own snapshot.
/// </summary>
public sealed class CameraLife(double motionPerCameraPerDay = 24, double blindedPerCameraPerDay = 0.05) : IScenarioActivity
{
    public string Name => string.Create(CultureInfo.InvariantCulture, $"camera life: {motionPerCameraPerDay} motions per camera per day");

    public Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cameras = context.Communities.SelectMany(c => c.Wiring.Cameras.Select(w => (Community: c, Camera: w))).ToList();
        if (cameras.Count == 0)
        {
            return Task.CompletedTask;
        }

        var perCamera = motionPerCameraPerDay + blindedPerCameraPerDay;
        return DailyPoisson.RunAsync(context, perCamera * cameras.Count, () =>
        {
            var (community, camera) = cameras[context.Random.Next(cameras.Count)];
            if (context.Random.NextDouble() * perCamera < blindedPerCameraPerDay)
            {
                context.TryCameraAct(community, camera, token => community.Cameras.BlindAsync(camera, TimeSpan.FromSeconds(3 + context.Random.Next(5)), token));
                return Task.CompletedTask;
            }

            var duration = TimeSpan.FromSeconds(2 + (context.Random.NextDouble() * 4));
            var silentEnd = context.Random.Next(3) == 0;
            context.TryCameraAct(community, camera, token => community.Cameras.MotionAsync(camera, duration, silentEnd, token));
            return Task.CompletedTask;
        }, ct);
    }
}
