namespace Emu.Devices.Pc;

/// <summary>
/// The calendar registers of an MC146818 as numbers (before BCD or 12-hour
/// encoding): the way the chip counts, second to century.
/// </summary>
internal struct RtcTimeFields
{
    public int Second, Minute, Hour, DayOfWeek, Day, Month, Year, Century;

    /// <summary>Day of week counts 1 (Sunday) to 7, as PC BIOSes set it.</summary>
    public static RtcTimeFields From(DateTime t) => new()
    {
        Second = t.Second,
        Minute = t.Minute,
        Hour = t.Hour,
        DayOfWeek = (int)t.DayOfWeek + 1,
        Day = t.Day,
        Month = t.Month,
        Year = t.Year % 100,
        Century = t.Year / 100,
    };

    /// <summary>
    /// The date and time these fields name, or null when the guest wrote an
    /// impossible one. Years are kept from 100 to 9899 so that the clock can
    /// run for a century without leaving what <see cref="DateTime"/> holds.
    /// </summary>
    public readonly DateTime? ToDateTime()
    {
        int year = Century * 100 + Year;
        if (year is < 100 or > 9899 || Month is < 1 or > 12 || Day < 1 || Day > DateTime.DaysInMonth(year, Month))
            return null;
        if (Hour is < 0 or > 23 || Minute is < 0 or > 59 || Second is < 0 or > 59)
            return null;
        return new DateTime(year, Month, Day, Hour, Minute, Second, DateTimeKind.Utc);
    }
}
