using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace BrkCoin.Settings;

/// <summary>
/// A time setting between two bounds, both included, written as TimeSpan's invariant text
/// ("00:00:00.100"). It says what <c>[Range(typeof(TimeSpan), …)]</c> says, with the same
/// message, without the type converter that RangeAttribute looks up by reflection: the options
/// source generator calls it as it is, so a natively compiled service validates its settings
/// exactly as the JIT build does.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class TimeSpanRangeAttribute(string minimum, string maximum)
    : ValidationAttribute("The field {0} must be between {1} and {2}.")
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    // Null passes, as for RangeAttribute: [Required] is the attribute that refuses a missing value.
    public override bool IsValid(object? value) =>
        value is null || (value is TimeSpan time && time >= Minimum && time <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.CurrentCulture, ErrorMessageString, name, Minimum, Maximum);
}
