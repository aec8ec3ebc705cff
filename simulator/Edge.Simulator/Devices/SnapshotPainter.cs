using System.Globalization;
using SkiaSharp;

namespace Edge.Simulator.Devices;

/// <summary>
/// The simulated cameras' snapshots: a real JPEG (SkiaSharp) of a street scene in flat colours, stamped with the camera's
/// id and the time as a camera's on-screen display is, so the station can tell whose snapshot it got and when.
/// </summary>
public static class SnapshotPainter
{
    public const int Width = 640;
    public const int Height = 360;

    public static byte[] Draw(string camera, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        var hue = (float)(camera.Aggregate(0, (h, c) => (h * 31) + c) & 0xff) / 255f * 360f;
        canvas.Clear(SKColor.FromHsl(hue, 25, 35));
        using var ground = new SKPaint { Color = SKColor.FromHsl(hue, 15, 22), IsAntialias = true };
        canvas.DrawRect(0, Height * 0.62f, Width, Height * 0.38f, ground);
        using var building = new SKPaint { Color = SKColor.FromHsl((hue + 40) % 360, 20, 55), IsAntialias = true };
        canvas.DrawRect(Width * 0.55f, Height * 0.18f, Width * 0.3f, Height * 0.44f, building);
        using var text = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var font = new SKFont(SKTypeface.Default, 22);
        canvas.DrawText(camera, 16, 34, SKTextAlign.Left, font, text);
        canvas.DrawText(at.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture), 16, Height - 16, SKTextAlign.Left, font, text);
        using var image = surface.Snapshot();
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 70);
        return jpeg.ToArray();
    }
}
