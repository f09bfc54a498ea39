using MudBlazor;

namespace StudyRecs.Web.Components.Layout;

/// <summary>
/// The portal's light and dark palettes. Status colours are darker (light theme) or lighter (dark theme) than
/// MudBlazor's defaults, so text and icons in them keep at least 4.5:1 contrast on the surface they sit on.
/// </summary>
public static class PortalTheme
{
    /// <summary>The cookie holding the user's choice ("light" or "dark"); absent means light.</summary>
    public const string CookieName = "studyrecs.theme";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1d4ed8",
            Secondary = "#6d28d9",
            Info = "#0b63a8",
            Success = "#1b7a3d",
            Warning = "#8a5300",
            Error = "#b3261e",
            AppbarBackground = "#1e3a8a",
            Background = "#f5f7fb",
            BackgroundGray = "#eef1f6",
            DrawerBackground = "#ffffff",
            TextSecondary = "#4b5563",
            LinesDefault = "#d1d5db",
            TableLines = "#e5e7eb",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8ab4ff",
            PrimaryContrastText = "#0b1530",
            Secondary = "#c4a7ff",
            Info = "#7cc4ff",
            Success = "#6fdc8c",
            Warning = "#ffc266",
            Error = "#ff8a80",
            AppbarBackground = "#111827",
            Background = "#0f1115",
            BackgroundGray = "#1b1f27",
            Surface = "#171a21",
            DrawerBackground = "#171a21",
            TextPrimary = "#e6e8ee",
            TextSecondary = "#b4bac6",
            LinesDefault = "#3a404c",
            TableLines = "#2c313b",
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "240px" },
    };

    public static bool IsDark(string? cookieValue) => string.Equals(cookieValue, "dark", StringComparison.Ordinal);
}
