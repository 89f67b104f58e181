using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace BrkCoin.AppHost;

public static class SettingsSection
{
    /// <summary>
    /// Binds a configuration section and checks its data annotations before the model is built,
    /// so a bad value stops the AppHost with a message instead of a half-built model.
    /// </summary>
    public static T GetValidated<T>(this IConfiguration configuration, string section) where T : class, new()
    {
        var settings = configuration.GetSection(section).Get<T>() ?? new T();
        try
        {
            Validate(settings);
        }
        // "The field Workers must be between 1 and 100." names the property, not the setting a
        // user types: say "Mining:Workers" first.
        catch (ValidationException invalid) when (invalid.ValidationResult.MemberNames.ToList() is [var member])
        {
            throw new ValidationException(
                new ValidationResult($"{section}:{member}: {invalid.Message}", [member]), invalid.ValidationAttribute, invalid.Value);
        }

        return settings;
    }

    /// <summary>Exit code of an AppHost stopped by a setting out of range: a usage error, as a shell's tools use 2.</summary>
    public const int InvalidSettingsExitCode = 2;

    /// <summary>
    /// Makes a <see cref="ValidationException"/> that escapes the AppHost's start end the process
    /// with its message alone on stderr and <see cref="InvalidSettingsExitCode"/>.
    /// </summary>
    public static void ExitOnInvalidSettings() =>
        AppDomain.CurrentDomain.UnhandledException += (_, unhandled) =>
        {
            if (unhandled.ExceptionObject is ValidationException invalid)
            {
                Console.Error.WriteLine($"BrkCoin: {invalid.Message}");
                Environment.Exit(InvalidSettingsExitCode);
            }
        };

    public static void Validate(object settings) =>
        Validator.ValidateObject(settings, new ValidationContext(settings), validateAllProperties: true);
}
