// [KvmFact] tests run in level 2 of the nested lab on machines without KVM (Emu.Lab).
[assembly: Xunit.TestFramework("Emu.Lab.LabTestFramework", "Emu.Lab")]
