using System.Reflection;
using System.Runtime.InteropServices;
using Emu.Accel.Kvm.Interop;

namespace Emu.Accel.Tests;

/// <summary>
/// Every struct the C# side declares for the KVM uAPI, and every ioctl
/// number, checked against &lt;linux/kvm.h&gt; compiled by gcc.
/// </summary>
public sealed class KvmStructLayoutTests
{
    // C struct name, C# type, and (C field path, C# field path) pairs.
    private static readonly (string C, Type Cs, (string CField, string CsField)[] Fields)[] s_structs =
    {
        ("kvm_userspace_memory_region", typeof(KvmUserspaceMemoryRegion), new[] { ("slot", "Slot"), ("flags", "Flags"), ("guest_phys_addr", "GuestPhysAddr"), ("memory_size", "MemorySize"), ("userspace_addr", "UserspaceAddr") }),
        ("kvm_regs", typeof(KvmRegs), new[] { ("rax", "Rax"), ("rbp", "Rbp"), ("r8", "R8"), ("r15", "R15"), ("rip", "Rip"), ("rflags", "Rflags") }),
        ("kvm_segment", typeof(KvmSegment), new[] { ("base", "Base"), ("limit", "Limit"), ("selector", "Selector"), ("type", "Type"), ("present", "Present"), ("dpl", "Dpl"), ("db", "Db"), ("s", "S"), ("l", "L"), ("g", "G"), ("avl", "Avl"), ("unusable", "Unusable") }),
        ("kvm_dtable", typeof(KvmDtable), new[] { ("base", "Base"), ("limit", "Limit") }),
        ("kvm_sregs", typeof(KvmSregs), new[] { ("cs", "Cs"), ("ss", "Ss"), ("tr", "Tr"), ("ldt", "Ldt"), ("gdt", "Gdt"), ("idt", "Idt"), ("cr0", "Cr0"), ("cr8", "Cr8"), ("efer", "Efer"), ("apic_base", "ApicBase"), ("interrupt_bitmap", "InterruptBitmap") }),
        ("kvm_translation", typeof(KvmTranslation), new[] { ("linear_address", "LinearAddress"), ("physical_address", "PhysicalAddress"), ("valid", "Valid"), ("writeable", "Writeable"), ("usermode", "Usermode") }),
        ("kvm_irq_level", typeof(KvmIrqLevel), new[] { ("irq", "Irq"), ("level", "Level") }),
        ("kvm_irq_routing", typeof(KvmIrqRoutingHeader), new[] { ("nr", "Nr"), ("flags", "Flags") }),
        ("kvm_irq_routing_entry", typeof(KvmIrqRoutingEntry), new[] { ("gsi", "Gsi"), ("type", "Type"), ("flags", "Flags"), ("u.irqchip.irqchip", "IrqchipChip"), ("u.irqchip.pin", "IrqchipPin"), ("u.msi.address_lo", "MsiAddressLo"), ("u.msi.address_hi", "MsiAddressHi"), ("u.msi.data", "MsiData"), ("u.msi.devid", "MsiDevid") }),
        ("kvm_irqfd", typeof(KvmIrqfd), new[] { ("fd", "Fd"), ("gsi", "Gsi"), ("flags", "Flags"), ("resamplefd", "ResampleFd"), ("pad", "Pad") }),
        ("kvm_ioeventfd", typeof(KvmIoeventfd), new[] { ("datamatch", "Datamatch"), ("addr", "Addr"), ("len", "Len"), ("fd", "Fd"), ("flags", "Flags"), ("pad", "Pad") }),
        ("kvm_pit_config", typeof(KvmPitConfig), new[] { ("flags", "Flags"), ("pad", "Pad") }),
        ("kvm_enable_cap", typeof(KvmEnableCap), new[] { ("cap", "Cap"), ("flags", "Flags"), ("args", "Args"), ("pad", "Pad") }),
        ("kvm_msi", typeof(KvmMsi), new[] { ("address_lo", "AddressLo"), ("address_hi", "AddressHi"), ("data", "Data"), ("flags", "Flags"), ("devid", "Devid"), ("pad", "Pad") }),
        ("kvm_create_device", typeof(KvmCreateDevice), new[] { ("type", "Type"), ("fd", "Fd"), ("flags", "Flags") }),
        ("kvm_device_attr", typeof(KvmDeviceAttr), new[] { ("flags", "Flags"), ("group", "Group"), ("attr", "Attr"), ("addr", "Addr") }),
        ("kvm_cpuid2", typeof(KvmCpuid2Header), new[] { ("nent", "Nent"), ("padding", "Padding") }),
        ("kvm_msr_entry", typeof(KvmMsrEntry), new[] { ("index", "Index"), ("reserved", "Reserved"), ("data", "Data") }),
        ("kvm_msrs", typeof(KvmMsrsHeader), new[] { ("nmsrs", "Nmsrs"), ("pad", "Pad") }),
        ("kvm_msr_list", typeof(KvmMsrListHeader), new[] { ("nmsrs", "Nmsrs") }),
        ("kvm_lapic_state", typeof(KvmLapicState), new[] { ("regs", "Regs") }),
        ("kvm_fpu", typeof(KvmFpu), new[] { ("fpr", "Fpr"), ("fcw", "Fcw"), ("fsw", "Fsw"), ("ftwx", "Ftwx"), ("last_opcode", "LastOpcode"), ("last_ip", "LastIp"), ("last_dp", "LastDp"), ("xmm", "Xmm"), ("mxcsr", "Mxcsr") }),
        ("kvm_xsave", typeof(KvmXsave), new[] { ("region", "Region") }),
        ("kvm_xcr", typeof(KvmXcr), new[] { ("xcr", "Xcr"), ("reserved", "Reserved"), ("value", "Value") }),
        ("kvm_xcrs", typeof(KvmXcrs), new[] { ("nr_xcrs", "NrXcrs"), ("flags", "Flags"), ("xcrs", "Xcrs"), ("xcrs[1]", "MoreXcrs"), ("padding", "Padding") }),
        ("kvm_vcpu_events", typeof(KvmVcpuEvents), new[]
        {
            ("exception.injected", "ExceptionInjected"), ("exception.nr", "ExceptionNr"), ("exception.has_error_code", "ExceptionHasErrorCode"),
            ("exception.pending", "ExceptionPending"), ("exception.error_code", "ExceptionErrorCode"),
            ("interrupt.injected", "InterruptInjected"), ("interrupt.nr", "InterruptNr"), ("interrupt.soft", "InterruptSoft"), ("interrupt.shadow", "InterruptShadow"),
            ("nmi.injected", "NmiInjected"), ("nmi.pending", "NmiPending"), ("nmi.masked", "NmiMasked"),
            ("sipi_vector", "SipiVector"), ("flags", "Flags"),
            ("smi.smm", "Smm"), ("smi.pending", "SmiPending"), ("smi.smm_inside_nmi", "SmmInsideNmi"), ("smi.latched_init", "LatchedInit"),
            ("triple_fault.pending", "TripleFaultPending"), ("reserved", "Reserved"), ("exception_has_payload", "ExceptionHasPayload"), ("exception_payload", "ExceptionPayload"),
        }),
        ("kvm_sregs2", typeof(KvmSregs2), new[] { ("cs", "Cs"), ("ldt", "Ldt"), ("idt", "Idt"), ("cr0", "Cr0"), ("efer", "Efer"), ("apic_base", "ApicBase"), ("flags", "Flags"), ("pdptrs", "Pdptrs") }),
        ("kvm_debugregs", typeof(KvmDebugregs), new[] { ("db", "Db"), ("dr6", "Dr6"), ("dr7", "Dr7"), ("flags", "Flags"), ("reserved", "Reserved") }),
        ("kvm_pic_state", typeof(KvmPicState), new[] { ("last_irr", "LastIrr"), ("irr", "Irr"), ("imr", "Imr"), ("isr", "Isr"), ("priority_add", "PriorityAdd"), ("irq_base", "IrqBase"), ("read_reg_select", "ReadRegSelect"), ("poll", "Poll"), ("special_mask", "SpecialMask"), ("init_state", "InitState"), ("auto_eoi", "AutoEoi"), ("rotate_on_auto_eoi", "RotateOnAutoEoi"), ("special_fully_nested_mode", "SpecialFullyNestedMode"), ("init4", "Init4"), ("elcr", "Elcr"), ("elcr_mask", "ElcrMask") }),
        ("kvm_ioapic_state", typeof(KvmIoapicState), new[] { ("base_address", "BaseAddress"), ("ioregsel", "IoRegSel"), ("id", "Id"), ("irr", "Irr"), ("pad", "Pad"), ("redirtbl", "RedirectionTable") }),
        ("kvm_irqchip", typeof(KvmIrqchip), new[] { ("chip_id", "ChipId"), ("pad", "Pad"), ("chip", "Chip") }),
        ("kvm_pit_channel_state", typeof(KvmPitChannelState), new[] { ("count", "Count"), ("latched_count", "LatchedCount"), ("count_latched", "CountLatched"), ("status_latched", "StatusLatched"), ("status", "Status"), ("read_state", "ReadState"), ("write_state", "WriteState"), ("write_latch", "WriteLatch"), ("rw_mode", "RwMode"), ("mode", "Mode"), ("bcd", "Bcd"), ("gate", "Gate"), ("count_load_time", "CountLoadTime") }),
        ("kvm_pit_state2", typeof(KvmPitState2), new[] { ("channels[0]", "Channel0"), ("channels[1]", "Channel1"), ("channels[2]", "Channel2"), ("flags", "Flags"), ("reserved", "Reserved") }),
        ("kvm_clock_data", typeof(KvmClockData), new[] { ("clock", "Clock"), ("flags", "Flags"), ("pad0", "Pad0"), ("realtime", "Realtime"), ("host_tsc", "HostTsc"), ("pad", "Pad") }),
        ("kvm_dirty_log", typeof(KvmDirtyLog), new[] { ("slot", "Slot"), ("padding1", "Padding1"), ("dirty_bitmap", "DirtyBitmap") }),
        ("kvm_cpuid_entry2", typeof(KvmCpuidEntry2), new[] { ("function", "Function"), ("index", "Index"), ("flags", "Flags"), ("eax", "Eax"), ("ebx", "Ebx"), ("ecx", "Ecx"), ("edx", "Edx"), ("padding", "Padding") }),
    };

    // kvm_run is a union-heavy struct we declare only in part: check the fields we use.
    private static readonly (string CField, string CsPath)[] s_kvmRunFields =
    {
        ("request_interrupt_window", "RequestInterruptWindow"),
        ("immediate_exit", "ImmediateExit"),
        ("exit_reason", "ExitReason"),
        ("ready_for_interrupt_injection", "ReadyForInterruptInjection"),
        ("if_flag", "IfFlag"),
        ("flags", "Flags"),
        ("cr8", "Cr8"),
        ("apic_base", "ApicBase"),
        ("io.direction", "Io.Direction"),
        ("io.size", "Io.Size"),
        ("io.port", "Io.Port"),
        ("io.count", "Io.Count"),
        ("io.data_offset", "Io.DataOffset"),
        ("mmio.phys_addr", "Mmio.PhysAddr"),
        ("mmio.data", "Mmio.Data"),
        ("mmio.len", "Mmio.Len"),
        ("mmio.is_write", "Mmio.IsWrite"),
        ("system_event.type", "SystemEvent.Type"),
        ("system_event.ndata", "SystemEvent.Ndata"),
        ("system_event.data", "SystemEvent.Data"),
        ("internal.suberror", "Internal.Suberror"),
        ("internal.ndata", "Internal.Ndata"),
        ("internal.data", "Internal.Data"),
        ("fail_entry.hardware_entry_failure_reason", "FailEntry.HardwareEntryFailureReason"),
        ("fail_entry.cpu", "FailEntry.Cpu"),
    };

    private static readonly (string C, string Cs)[] s_constants =
    {
        ("KVM_GET_API_VERSION", nameof(KvmIoctl.GetApiVersion)),
        ("KVM_CREATE_VM", nameof(KvmIoctl.CreateVm)),
        ("KVM_GET_MSR_INDEX_LIST", nameof(KvmIoctl.GetMsrIndexList)),
        ("KVM_CHECK_EXTENSION", nameof(KvmIoctl.CheckExtension)),
        ("KVM_GET_VCPU_MMAP_SIZE", nameof(KvmIoctl.GetVcpuMmapSize)),
        ("KVM_GET_SUPPORTED_CPUID", nameof(KvmIoctl.GetSupportedCpuid)),
        ("KVM_CREATE_VCPU", nameof(KvmIoctl.CreateVcpu)),
        ("KVM_SET_USER_MEMORY_REGION", nameof(KvmIoctl.SetUserMemoryRegion)),
        ("KVM_SET_TSS_ADDR", nameof(KvmIoctl.SetTssAddr)),
        ("KVM_SET_IDENTITY_MAP_ADDR", nameof(KvmIoctl.SetIdentityMapAddr)),
        ("KVM_CREATE_IRQCHIP", nameof(KvmIoctl.CreateIrqchip)),
        ("KVM_IRQ_LINE", nameof(KvmIoctl.IrqLine)),
        ("KVM_SET_GSI_ROUTING", nameof(KvmIoctl.SetGsiRouting)),
        ("KVM_IRQFD", nameof(KvmIoctl.Irqfd)),
        ("KVM_CREATE_PIT2", nameof(KvmIoctl.CreatePit2)),
        ("KVM_IOEVENTFD", nameof(KvmIoctl.Ioeventfd)),
        ("KVM_ENABLE_CAP", nameof(KvmIoctl.EnableCap)),
        ("KVM_SIGNAL_MSI", nameof(KvmIoctl.SignalMsi)),
        ("KVM_CREATE_DEVICE", nameof(KvmIoctl.CreateDevice)),
        ("KVM_SET_DEVICE_ATTR", nameof(KvmIoctl.SetDeviceAttr)),
        ("KVM_RUN", nameof(KvmIoctl.Run)),
        ("KVM_GET_REGS", nameof(KvmIoctl.GetRegs)),
        ("KVM_SET_REGS", nameof(KvmIoctl.SetRegs)),
        ("KVM_GET_SREGS", nameof(KvmIoctl.GetSregs)),
        ("KVM_SET_SREGS", nameof(KvmIoctl.SetSregs)),
        ("KVM_TRANSLATE", nameof(KvmIoctl.Translate)),
        ("KVM_SET_SIGNAL_MASK", nameof(KvmIoctl.SetSignalMask)),
        ("KVM_SET_CPUID2", nameof(KvmIoctl.SetCpuid2)),
        ("KVM_GET_MP_STATE", nameof(KvmIoctl.GetMpState)),
        ("KVM_GET_MSRS", nameof(KvmIoctl.GetMsrs)),
        ("KVM_SET_MSRS", nameof(KvmIoctl.SetMsrs)),
        ("KVM_GET_FPU", nameof(KvmIoctl.GetFpu)),
        ("KVM_SET_FPU", nameof(KvmIoctl.SetFpu)),
        ("KVM_GET_LAPIC", nameof(KvmIoctl.GetLapic)),
        ("KVM_SET_LAPIC", nameof(KvmIoctl.SetLapic)),
        ("KVM_GET_VCPU_EVENTS", nameof(KvmIoctl.GetVcpuEvents)),
        ("KVM_SET_VCPU_EVENTS", nameof(KvmIoctl.SetVcpuEvents)),
        ("KVM_GET_XSAVE", nameof(KvmIoctl.GetXsave)),
        ("KVM_SET_XSAVE", nameof(KvmIoctl.SetXsave)),
        ("KVM_GET_XCRS", nameof(KvmIoctl.GetXcrs)),
        ("KVM_SET_XCRS", nameof(KvmIoctl.SetXcrs)),
        ("KVM_SET_MP_STATE", nameof(KvmIoctl.SetMpState)),
        ("KVM_GET_DIRTY_LOG", nameof(KvmIoctl.GetDirtyLog)),
        ("KVM_GET_IRQCHIP", nameof(KvmIoctl.GetIrqchip)),
        ("KVM_SET_IRQCHIP", nameof(KvmIoctl.SetIrqchip)),
        ("KVM_GET_CLOCK", nameof(KvmIoctl.GetClock)),
        ("KVM_SET_CLOCK", nameof(KvmIoctl.SetClock)),
        ("KVM_GET_PIT2", nameof(KvmIoctl.GetPit2)),
        ("KVM_SET_PIT2", nameof(KvmIoctl.SetPit2)),
        ("KVM_GET_XSAVE2", nameof(KvmIoctl.GetXsave2)),
        ("KVM_GET_SREGS2", nameof(KvmIoctl.GetSregs2)),
        ("KVM_SET_SREGS2", nameof(KvmIoctl.SetSregs2)),
        ("KVM_GET_DEBUGREGS", nameof(KvmIoctl.GetDebugregs)),
        ("KVM_SET_DEBUGREGS", nameof(KvmIoctl.SetDebugregs)),
    };

    private static readonly Lazy<Dictionary<string, ulong>> s_c = new(() =>
    {
        var statements = new List<string>();
        foreach (var s in s_structs)
        {
            statements.Add($"SIZE({s.C})");
            statements.AddRange(s.Fields.Select(f => $"OFF({s.C}, {f.CField})"));
        }
        statements.AddRange(s_kvmRunFields.Select(f => $"OFF(kvm_run, {f.CField})"));
        statements.AddRange(s_constants.Select(c => $"CONST({c.C})"));
        statements.AddRange(typeof(KvmCap).GetFields().Select(f => $"CONST(KVM_CAP_{ToC(f.Name)})"));
        statements.AddRange(new[] { "CONST(KVM_EXIT_IO)", "CONST(KVM_EXIT_MMIO)", "CONST(KVM_EXIT_HLT)", "CONST(KVM_EXIT_SHUTDOWN)", "CONST(KVM_EXIT_FAIL_ENTRY)", "CONST(KVM_EXIT_INTR)", "CONST(KVM_EXIT_INTERNAL_ERROR)", "CONST(KVM_EXIT_SYSTEM_EVENT)", "CONST(KVM_MEM_READONLY)", "CONST(KVM_MEM_LOG_DIRTY_PAGES)", "CONST(KVM_SREGS2_FLAGS_PDPTRS_VALID)", "CONST(KVM_IRQCHIP_PIC_MASTER)", "CONST(KVM_IRQCHIP_PIC_SLAVE)", "CONST(KVM_IRQCHIP_IOAPIC)", "CONST(KVM_IOAPIC_NUM_PINS)", "CONST(KVM_CLOCK_TSC_STABLE)", "CONST(KVM_PIT_FLAGS_HPET_LEGACY)", "CONST(KVM_PIT_FLAGS_SPEAKER_DATA_ON)", "CONST(KVM_IRQ_ROUTING_IRQCHIP)", "CONST(KVM_IRQ_ROUTING_MSI)", "CONST(KVM_IRQFD_FLAG_RESAMPLE)", "CONST(KVM_IRQFD_FLAG_DEASSIGN)", "CONST(KVM_IOEVENTFD_FLAG_PIO)", "CONST(KVM_IOEVENTFD_FLAG_DATAMATCH)", "CONST(KVM_IOEVENTFD_FLAG_DEASSIGN)", "CONST(KVM_DEV_TYPE_VFIO)", "CONST(KVM_PIT_SPEAKER_DUMMY)", "CONST(KVM_MP_STATE_RUNNABLE)", "CONST(KVM_MP_STATE_UNINITIALIZED)", "CONST(KVM_APIC_REG_SIZE)", "CONST(KVM_MAX_XCRS)" });
        return CLayoutProbe.Run("#include <linux/kvm.h>", statements);
    });

    // "SetTssAddr" -> "SET_TSS_ADDR", "X2ApicApi" -> "X2APIC_API", "Pit2" -> "PIT2".
    private static string ToC(string name) => name switch
    {
        "X2ApicApi" => "X2APIC_API",
        "Pit2" => "PIT2",
        "SignalMsi" => "SIGNAL_MSI",
        "IrqfdResample" => "IRQFD_RESAMPLE",
        "ReadonlyMem" => "READONLY_MEM",
        _ => string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant(),
    };

    public static IEnumerable<object[]> Structs() => s_structs.Select(s => new object[] { s.C });

    [Theory]
    [MemberData(nameof(Structs))]
    public void StructMatchesTheKernelHeader(string cName)
    {
        var s = s_structs.Single(x => x.C == cName);
        Assert.Equal(s_c.Value[$"sizeof {s.C}"], (ulong)Marshal.SizeOf(s.Cs));
        foreach (var (cField, csField) in s.Fields)
            Assert.True(s_c.Value[$"offsetof {s.C}.{cField}"] == Offset(s.Cs, csField), $"{s.C}.{cField}: C offset {s_c.Value[$"offsetof {s.C}.{cField}"]}, C# {Offset(s.Cs, csField)}");
    }

    [Fact]
    public void KvmRunFieldsMatchTheKernelHeader()
    {
        foreach (var (cField, csPath) in s_kvmRunFields)
            Assert.True(s_c.Value[$"offsetof kvm_run.{cField}"] == Offset(typeof(KvmRun), csPath), $"kvm_run.{cField}: C {s_c.Value[$"offsetof kvm_run.{cField}"]}, C# {Offset(typeof(KvmRun), csPath)}");
        Assert.True(s_c.Value["offsetof kvm_run.io.direction"] == KvmRun.ExitUnionOffset, "kvm_run exit union offset");
    }

    [Fact]
    public void IoctlNumbersMatchTheKernelHeader()
    {
        foreach (var (c, cs) in s_constants)
        {
            var value = (nuint)typeof(KvmIoctl).GetField(cs, BindingFlags.Static | BindingFlags.Public)!.GetValue(null)!;
            Assert.True(s_c.Value[$"const {c}"] == value, $"{c}: C 0x{s_c.Value[$"const {c}"]:x}, C# 0x{value:x}");
        }
    }

    [Fact]
    public void CapabilityAndFlagNumbersMatchTheKernelHeader()
    {
        foreach (FieldInfo f in typeof(KvmCap).GetFields())
            Assert.True(s_c.Value[$"const KVM_CAP_{ToC(f.Name)}"] == (ulong)(int)f.GetValue(null)!, $"KVM_CAP_{ToC(f.Name)}");
        Same("KVM_EXIT_IO", KvmRun.ExitIo);
        Same("KVM_EXIT_MMIO", KvmRun.ExitMmio);
        Same("KVM_EXIT_HLT", KvmRun.ExitHlt);
        Same("KVM_EXIT_SHUTDOWN", KvmRun.ExitShutdown);
        Same("KVM_EXIT_FAIL_ENTRY", KvmRun.ExitFailEntry);
        Same("KVM_EXIT_INTR", KvmRun.ExitIntr);
        Same("KVM_EXIT_INTERNAL_ERROR", KvmRun.ExitInternalError);
        Same("KVM_EXIT_SYSTEM_EVENT", KvmRun.ExitSystemEvent);
        Same("KVM_MEM_READONLY", KvmUserspaceMemoryRegion.ReadOnly);
        Same("KVM_MEM_LOG_DIRTY_PAGES", KvmUserspaceMemoryRegion.LogDirtyPages);
        Same("KVM_SREGS2_FLAGS_PDPTRS_VALID", KvmSregs2.PdptrsValid);
        Same("KVM_IRQCHIP_PIC_MASTER", KvmIrqchip.PicMaster);
        Same("KVM_IRQCHIP_PIC_SLAVE", KvmIrqchip.PicSlave);
        Same("KVM_IRQCHIP_IOAPIC", KvmIrqchip.Ioapic);
        Same("KVM_IOAPIC_NUM_PINS", KvmIoapicState.Pins);
        Same("KVM_CLOCK_TSC_STABLE", KvmClockData.TscStable);
        Same("KVM_PIT_FLAGS_HPET_LEGACY", KvmPitState2.FlagHpetLegacy);
        Same("KVM_PIT_FLAGS_SPEAKER_DATA_ON", KvmPitState2.FlagSpeakerDataOn);
        Same("KVM_IRQ_ROUTING_IRQCHIP", KvmIrqRoutingEntry.TypeIrqchip);
        Same("KVM_IRQ_ROUTING_MSI", KvmIrqRoutingEntry.TypeMsi);
        Same("KVM_IRQFD_FLAG_RESAMPLE", KvmIrqfd.FlagResample);
        Same("KVM_IRQFD_FLAG_DEASSIGN", KvmIrqfd.FlagDeassign);
        Same("KVM_IOEVENTFD_FLAG_PIO", KvmIoeventfd.FlagPio);
        Same("KVM_IOEVENTFD_FLAG_DATAMATCH", KvmIoeventfd.FlagDatamatch);
        Same("KVM_IOEVENTFD_FLAG_DEASSIGN", KvmIoeventfd.FlagDeassign);
        Same("KVM_DEV_TYPE_VFIO", KvmCreateDevice.TypeVfio);
        Same("KVM_PIT_SPEAKER_DUMMY", KvmPitConfig.SpeakerDummy);
        Same("KVM_MP_STATE_RUNNABLE", KvmApi.MpStateRunnable);
        Same("KVM_MP_STATE_UNINITIALIZED", KvmApi.MpStateUninitialized);
        Same("KVM_APIC_REG_SIZE", KvmLapicState.RegisterSize);
        Same("KVM_MAX_XCRS", KvmXcrs.MaxXcrs);
    }

    private static void Same(string cName, ulong csValue) =>
        Assert.True(s_c.Value[$"const {cName}"] == csValue, $"{cName}: C {s_c.Value[$"const {cName}"]}, C# {csValue}");

    // Offset of a (possibly nested, "Io.Port") field.
    private static ulong Offset(Type type, string path)
    {
        ulong total = 0;
        foreach (string name in path.Split('.'))
        {
            total += (ulong)Marshal.OffsetOf(type, name);
            type = type.GetField(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)!.FieldType;
        }
        return total;
    }
}
