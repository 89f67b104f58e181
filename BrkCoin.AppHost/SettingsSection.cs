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
        Validate(settings);
        return settings;
    }

    public static void Validate(object settings) =>
        Validator.ValidateObject(settings, new ValidationContext(settings), validateAllProperties: true);
}
