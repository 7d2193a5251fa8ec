#!/usr/bin/env python3
"""Builds samples/*.zip and rules/fixtures/** from the real files in ../shared/data.

Usage: scripts/make-samples.py [--data DIR]   (default: ../shared/data next to the repo)

The outputs are committed, so a clone works without ../shared; this script documents how
each was made and rebuilds them byte for byte (zip entries carry a fixed timestamp).
Real files are copied unmodified or as a stated excerpt of whole lines. The activation
client logs and the batch server export are written here from the message strings in
cases.md, because no real file of that kind is public; each is marked "constructed".
"""

import argparse
import io
import pathlib
import shutil
import zipfile

REPO = pathlib.Path(__file__).resolve().parent.parent
TS = (2024, 1, 1, 0, 0, 0)


def args():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    return p.parse_args()


class Data:
    def __init__(self, root):
        self.root = pathlib.Path(root)

    def real(self, rel):
        return (self.root / rel).read_bytes()

    def excerpt(self, rel, first, last):
        """Lines first..last (1-based, inclusive) of a real file, bytes unchanged."""
        lines = self.real(rel).splitlines(keepends=True)
        return b"".join(lines[first - 1 : last])


def utf8(s):
    return s.encode("utf-8")


def gbk(s):
    return s.encode("gbk")


def utf16(s):
    return b"\xff\xfe" + s.encode("utf-16-le")


def crlf(s):
    return s.replace("\n", "\r\n")


# Activation client logs (constructed from the message strings of cases.md).
LOG_A = """2024-05-14 09:31:02 [INFO] CMGE 激活客户端 V2.0 启动
2024-05-14 09:31:05 [INFO] 在线激活，SN: FF*****700209
2024-05-14 09:31:06 [ERROR] 在线激活失败， 服务器错误，请联系客服。
2024-05-14 09:40:12 [INFO] 离线激活
2024-05-14 09:40:13 [ERROR] 激活失败， 服务器错误，请联系客服。
"""
SERVER_A = """工单 2024-0514-031 后台查询结果
设备: 瘦客户端 (IDV 模式)
返回: code:206
"""
LOG_B = """2023-11-02 14:02:11 [INFO] 离线激活
2023-11-02 14:02:12 [ERROR] Device marker binding is Invalid
2023-11-20 10:15:40 [INFO] 在线激活，SN: ZZ02-2200-00033
2023-11-20 10:15:42 [ERROR] SN已被另一计算机使用
"""
LOG_C = """2024-02-01 15:20:01 [INFO] CMGE 激活客户端 V2.0 启动
2024-02-01 15:20:09 [WARN] 上次激活使用的序列号FF*****700209跟当前输入的序列号不一致，是否继续使用当前输入的序列号进行激活
2024-02-01 15:20:15 [INFO] 用户选择: 是
2024-02-01 15:20:16 [ERROR] 在线激活失败，服务器错误，请联系客服
"""
SERVER_D = """主机ID,BIOS序列号,主板序列号,MAC地址,结果
M903G6G4,To be filled by O.E.M.,,00-E0-4C-68-01-2A,DeviceBinding B2：B2字段是必需的
M903G6G7,QTM-2211-0392,QTM-B-0392,00-E0-4C-68-01-3F,DeviceBinding B2：B2字段是必需的
M903G6H1,QTM-2211-0417,QTM-B-0417,00-E0-4C-68-01-51,DeviceBinding B2：B2字段是必需的
"""
LOG_OK = """2024-06-03 08:55:40 [INFO] CMGE 激活客户端 V2.1 i 启动
2024-06-03 08:55:47 [INFO] 在线激活，SN: AB*****120034
2024-06-03 08:55:49 [INFO] 激活成功
"""
WMIC_BASEBOARD_EMPTY = """C:\\Users\\user>wmic baseboard get serialnumber,manufacturer
Manufacturer                  SerialNumber
Gigabyte Technology Co., Ltd.


C:\\Users\\user>wmic csproduct get name
Name
H61M-DS2

"""
WMIC_MANUFACTURER_EMPTY = """C:\\Users\\user>wmic baseboard get manufacturer,product,serialnumber
Manufacturer  Product     SerialNumber
              Q1900G4-M   QTM-B-0392

"""
WMIC_LONG_SERIAL = """C:\\Users\\user>wmic diskdrive get index,model,serialnumber
Index  Model                          SerialNumber
0      Generic NVMe Disk Device       4E564D455F534E5F303132333435363738394142434445464748494A4B4C4D4E4F505152
1      ST1000DM003-1ER162             Z4Y2KXYA

"""
WMIC_REMOVABLE_DISK = """C:\\Users\\user>wmic diskdrive get index,model,serialnumber,mediatype,interfacetype
Index  InterfaceType  MediaType              Model                                  SerialNumber
0      USB            External hard disk media  WD Elements 25A2 USB Device          57584C314138344C32383536

"""

# Event exports in `wevtutil qe <log> /f:xml` form (one <Event> per line, no wrapper), written
# here because no public log shows these faults; the element layout is the one of the real
# exports (see tests/fixtures/evtx/spp-8198-wevtutil.xml) and the provider, ids and field
# names are those of the real System log in ../shared/data/evtx/system.evtx.
EVENT_XML = ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
             "<Provider Name='{provider}'{guid}/><EventID Qualifiers='{qual}'>{id}</EventID><Version>0</Version>"
             "<Level>{level}</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8080000000000000</Keywords>"
             "<TimeCreated SystemTime='{time}'/><EventRecordID>{record}</EventRecordID><Correlation/>"
             "<Execution ProcessID='{pid}' ThreadID='{tid}'/><Channel>{channel}</Channel><Computer>DESKTOP-CMGE01</Computer>"
             "<Security/></System><EventData>{data}</EventData></Event>\n")


def event_xml(provider, id, level, time, record, data, guid="", qual="16384", pid="4", tid="8", channel="System"):
    fields = "".join(f"<Data Name='{n}'>{v}</Data>" if n else f"<Data>{v}</Data>" for n, v in data)
    return EVENT_XML.format(provider=provider, guid=guid, qual=qual, id=id, level=level, time=time,
                            record=record, pid=pid, tid=tid, data=fields, channel=channel)


SPP = ("Microsoft-Windows-Security-SPP' Guid='{E23B33B0-C8C9-472C-A5F9-F2BDFEA0F156}' "
       "EventSourceName='Software Protection Platform Service")


def spp_8198_event(code):
    """An Application-log SPP 8198 (activation failed) carrying `hr=<code>`, as in the real
    event text quoted by windows-facts.md §2.2 (constructed: no public log has one)."""
    return utf16(event_xml(
        SPP, 8198, 2, "2024-05-14T02:31:07.6581234Z", 5321,
        [("", f"hr={code}"), ("", "RuleId=31e71c49-8da7-4a2f-ad92-45d98a1c79ba;Action=AutoActivate;"
                                  "AppId=55c92734-d682-4d71-983e-d6ec3f16059f;Trigger=TimerEvent")],
        qual="49152", pid="0", tid="0", channel="Application"))


def spp_8200_event(code):
    """An SPP 8200 (licence acquisition failure) with the hr the Microsoft article names."""
    return utf16(event_xml(SPP, 8200, 2, "2024-05-14T02:35:12.0000000Z", 5330,
                           [("", f"hr={code}")], qual="49152", pid="0", tid="0", channel="Application"))


def with_line(data, line_no, old, new):
    """A real log with one string of one line replaced (constructed variants of real logs)."""
    lines = data.splitlines(keepends=True)
    assert old.encode() in lines[line_no - 1], (line_no, old)
    lines[line_no - 1] = lines[line_no - 1].replace(old.encode(), new.encode())
    return b"".join(lines)


SCM = "Service Control Manager' Guid='{555908d1-a6d7-4695-8e1e-26931d2012f4}' EventSourceName='Service Control Manager"
SPPSVC_CRASH = "".join([
    event_xml(SCM, 7031, 2, "2024-05-14T01:20:11.5120000Z", 40211,
              [("param1", "Software Protection"), ("param2", "1"), ("param3", "120000"), ("param4", "1"),
               ("param5", "Restart the service"), ("param6", "sppsvc")], qual="49152", pid="780", tid="5512"),
    event_xml(SCM, 7023, 2, "2024-05-14T01:22:40.0020000Z", 40230,
              [("param1", "Software Protection"), ("param2", "%%-1073418114")], qual="49152", pid="780", tid="5512"),
])
DNS = "Microsoft-Windows-DNS-Client' Guid='{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}"
DNS_FEW_TIMEOUTS = "".join(
    event_xml(DNS, 1014, 3, f"2024-05-14T0{i}:10:00.0000000Z", 50100 + i,
              [("QueryName", "_vlmcs._tcp.gov.local"), ("AddressLength", "128")], qual="", pid="1588", tid="2044")
    for i in range(5)
)


def zipped(entries):
    """A zip of (name, bytes) with fixed timestamps: evtx fixtures are stored compressed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=TS)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def samples(d):
    """(zip name, [(entry, bytes)], what it shows)."""
    return [
        ("case-a-thin-client-empty-baseboard-serial.zip", [
            ("hardware/dmidecode.txt", d.real("dmidecode/Gigabyte_H61M-DS2.txt")),
            ("network/ipconfig_all.txt", d.real("winlogs/ipconfig/gkkgithub_TXT_ipconfig_all_zh-CN_gbk.txt")),
            ("activation/CMGE_Activation.log", gbk(crlf(LOG_A))),
            ("activation/server_response.txt", utf8(SERVER_A)),
        ]),
        ("case-b-edge-box-virtual-machine.zip", [
            ("hardware/Win32_ComputerSystem.wmi", d.real("winlogs/wmic/glpi-agent_proxmox-Win32_ComputerSystem.wmi")),
            ("activation/CMGE_Activation.log", utf16(crlf(LOG_B))),
        ]),
        ("case-c-serial-mismatch-hardware.zip", [
            ("hardware/dmidecode.txt", d.real("dmidecode/ASUSTeK_P5Q.txt")),
            ("network/ipconfig_all.txt", d.real("winlogs/ipconfig/youzjuzi_ipconfig_all_en.txt")),
            ("activation/CMGE_Activation.log", utf8(LOG_C)),
        ]),
        ("case-d-batch-b2-disk-serial.zip", [
            ("hardware/dmidecode.txt", d.real("dmidecode/Qotom_Q1900G4-M.txt")),
            ("hardware/Win32_DiskDrive.wmi", d.real("winlogs/wmic/glpi-agent_win7-sp1-x64-Win32_DiskDrive.wmi")),
            ("activation/batch_server_records.csv", b"\xef\xbb\xbf" + utf8(crlf(SERVER_D))),
        ]),
        ("healthy-hp-zbook.zip", [
            ("hardware/dmidecode.txt", d.real("dmidecode/HP_ZBook-15-G5.txt")),
            ("hardware/Win32_DiskDrive.wmi", d.real("winlogs/wmic/glpi-agent_latitude-7480-Win32_DiskDrive.wmi")),
            ("hardware/MSFT_PhysicalDisk.wmi", d.real("winlogs/wmic/glpi-agent_latitude-7480-MSFT_PhysicalDisk.wmi")),
            ("network/ipconfig_all.txt", d.real("winlogs/ipconfig/gkkgithub_TXT_ipconfig_all_zh-CN_gbk.txt")),
            ("eventlogs/Application.evtx", d.real("evtx/Application_no_crc32.evtx")),
            ("upgrade/setuperr.log", d.real("winlogs/setup/bitbtrust_Errorcode_setuperr.log")),
            ("activation/CMGE_Activation.log", utf8(LOG_OK)),
        ]),
    ]


def fixtures(d):
    """(rule id, positive|negative, case file name, bytes)."""
    ipc_zh = "winlogs/ipconfig/Thymolzzw_ipconfig_all_zh-CN_gbk.txt"
    f = [
        ("hw.bios-serial", "positive", "qotom-dmidecode.txt", d.real("dmidecode/Qotom_Q1900G4-M.txt")),
        ("hw.bios-serial", "negative", "hp-zbook-dmidecode.txt", d.real("dmidecode/HP_ZBook-15-G5.txt")),
        ("hw.baseboard-serial", "positive", "gigabyte-dmidecode.txt", d.real("dmidecode/Gigabyte_H61M-DS2.txt")),
        ("hw.baseboard-serial", "positive", "wmic-baseboard-empty.txt", utf16(crlf(WMIC_BASEBOARD_EMPTY))),
        ("hw.baseboard-serial", "negative", "dell-r640-dmidecode.txt", d.real("dmidecode/Dell_PowerEdge-R640.txt")),
        ("hw.baseboard-manufacturer", "positive", "wmic-baseboard-no-manufacturer.txt", gbk(crlf(WMIC_MANUFACTURER_EMPTY))),
        ("hw.baseboard-manufacturer", "negative", "asustek-dmidecode.txt", d.real("dmidecode/ASUSTeK_P5Q.txt")),
        ("hw.system-model", "positive", "asustek-dmidecode.txt", d.real("dmidecode/ASUSTeK_P5Q.txt")),
        ("hw.system-model", "negative", "lenovo-Win32_ComputerSystem.wmi", d.real("winlogs/wmic/glpi-agent_11-AzureAD-Win32_ComputerSystem.wmi")),
        ("hw.disk-serial", "positive", "win7-Win32_DiskDrive.wmi", d.real("winlogs/wmic/glpi-agent_win7-sp1-x64-Win32_DiskDrive.wmi")),
        ("hw.disk-serial", "positive", "wmic-serial-over-64-bytes.txt", utf16(crlf(WMIC_LONG_SERIAL))),
        ("hw.disk-serial", "negative", "latitude-Win32_DiskDrive.wmi", d.real("winlogs/wmic/glpi-agent_latitude-7480-Win32_DiskDrive.wmi")),
        ("hw.disk-removable", "positive", "wmic-usb-disk.txt", utf16(crlf(WMIC_REMOVABLE_DISK))),
        ("hw.disk-removable", "negative", "latitude-Win32_DiskDrive.wmi", d.real("winlogs/wmic/glpi-agent_latitude-7480-Win32_DiskDrive.wmi")),
        ("hw.nic-physical", "positive", "ipconfig-tap-only-excerpt.txt", d.excerpt(ipc_zh, 1, 26)),
        ("hw.nic-physical", "negative", "ipconfig-zh.txt", d.real(ipc_zh)),
        ("hw.nic-removable", "positive", "ipconfig-usb-nic-excerpt.txt", d.excerpt(ipc_zh, 1, 35)),
        ("hw.nic-removable", "negative", "ipconfig-zh.txt", d.real(ipc_zh)),
        ("vm.detected", "positive", "vmware-dmidecode.txt", d.real("dmidecode/VMware_Virtual-Platform.txt")),
        ("vm.detected", "positive", "hyperv-dmidecode.txt", d.real("dmidecode/Microsoft_Virtual-Machine-HyperV-2019.txt")),
        ("vm.detected", "positive", "proxmox-Win32_ComputerSystem.wmi", d.real("winlogs/wmic/glpi-agent_proxmox-Win32_ComputerSystem.wmi")),
        ("vm.detected", "positive", "ec2-systeminfo.txt", d.real("winlogs/systeminfo/Karthika1991_systeminfo_AmazonEC2.txt")),
        ("vm.detected", "negative", "hp-zbook-dmidecode.txt", d.real("dmidecode/HP_ZBook-15-G5.txt")),
        ("vm.detected", "negative", "vbox-host-systeminfo-es.txt", d.real("winlogs/systeminfo/sego1_systeminfo_es_HP_ProDesk.txt")),
        ("vm.detected", "negative", "vmnet-host-ipconfig-zh.txt", d.real(ipc_zh)),
        ("act.server-error", "positive", "activation-gbk.log", gbk(crlf(LOG_A))),
        ("act.server-error", "positive", "activation-utf8.log", utf8(LOG_C)),
        ("act.server-error", "negative", "activation-ok.log", utf8(LOG_OK)),
        ("act.code-206", "positive", "server-response.txt", utf8(SERVER_A)),
        ("act.code-206", "negative", "setupact-de.log", d.real("winlogs/setup/bitbtrust_Errorcode_setupact.log")),
        ("act.marker-binding-invalid", "positive", "activation-utf16.log", utf16(crlf(LOG_B))),
        ("act.marker-binding-invalid", "negative", "activation-ok.log", utf8(LOG_OK)),
        ("act.sn-used-elsewhere", "positive", "activation-utf16.log", utf16(crlf(LOG_B))),
        ("act.sn-used-elsewhere", "negative", "activation-gbk.log", gbk(crlf(LOG_A))),
        ("act.sn-mismatch", "positive", "activation-utf8.log", utf8(LOG_C)),
        ("act.sn-mismatch", "positive", "activation-gbk.log", gbk(crlf(LOG_C))),
        ("act.sn-mismatch", "negative", "activation-gbk.log", gbk(crlf(LOG_A))),
        ("act.devicebinding-b2", "positive", "batch-server-records.csv", b"\xef\xbb\xbf" + utf8(crlf(SERVER_D))),
        ("act.devicebinding-b2", "negative", "setuperr-moupg.log", d.real("winlogs/setup/VitalSkib_files_setuperr_moupg.log")),
    ]
    system = zipped([("eventlogs/System.evtx", d.real("evtx/system.evtx"))])
    app_vmware = zipped([("eventlogs/Application.evtx", d.real("evtx/many-events-application.evtx"))])
    app_spp = zipped([("eventlogs/Application.evtx", d.real("evtx/Application_no_crc32.evtx"))])
    app_1040 = zipped([("eventlogs/Application.evtx", d.real("evtx/rogue_msi_url_1040_1042.evtx"))])
    langpack = zipped([("eventlogs/LanguagePackSetup.evtx",
                        d.real("evtx/Microsoft-Windows-LanguagePackSetup%4Operational.evtx"))])
    spp_8198 = (REPO / "tests/fixtures/evtx/spp-8198-wevtutil.xml").read_bytes()
    spp_8198_csv = (REPO / "tests/fixtures/evtx/spp-8198-export.csv").read_bytes()
    f += [
        ("act.spp-activation-failed", "positive", "spp-8198-wevtutil.xml", spp_8198),
        ("act.spp-activation-failed", "positive", "spp-8198-export.csv", spp_8198_csv),
        ("act.spp-activation-failed", "negative", "application-spp-events.zip", app_spp),
        ("act.spp-hardware-changed", "positive", "application-spp-1040.zip", app_1040),
        ("act.spp-hardware-changed", "negative", "application-418-spp-events.zip", app_vmware),
        ("act.sppsvc-failed", "positive", "system-sppsvc-crash.xml", utf16(SPPSVC_CRASH)),
        ("act.sppsvc-failed", "negative", "system-other-service-failures.zip", system),
        ("evt.clock-jump", "positive", "system-time-offset-35999s.zip", system),
        ("evt.clock-jump", "negative", "languagepack-setup.zip", langpack),
        ("evt.dns-timeouts", "positive", "system-160-dns-timeouts.zip", system),
        ("evt.dns-timeouts", "negative", "system-5-dns-timeouts.xml", utf8(DNS_FEW_TIMEOUTS)),
        ("upg.update-install-failed", "positive", "system-wu-event-20.zip", system),
        ("upg.update-install-failed", "negative", "application-events.zip", app_vmware),
        ("vm.detected", "positive", "vmware-guest-event-logs.zip",
         zipped([("eventlogs/System.evtx", d.real("evtx/system.evtx")),
                 ("eventlogs/Application.evtx", d.real("evtx/many-events-application.evtx"))])),
        ("vm.detected", "negative", "application-spp-events.zip", app_spp),
    ]
    fx = REPO / "tests" / "fixtures"
    samsung = d.real("winlogs/setup/copyleft21_samsung_setupact_moupg.log")
    windeploy = d.real("winlogs/setup/VitalSkib_files_setupact_windeploy.log")
    moupg_err = d.real("winlogs/setup/VitalSkib_files_setuperr_moupg.log")
    slmgr_eval = (fx / "slmgr/checkmk_win7-enterprise-eval_dli.txt").read_bytes()
    slmgr_kms_ok = (fx / "slmgr/checkmk_server2012-kms-client_dli.txt").read_bytes()
    slmgr_notif = (fx / "slmgr/msdocs_win7-kms-client-nongenuine_dlv.txt").read_bytes()
    for rule, codes in [
        ("act.kms-unreachable", ["0xC004F074"]),
        ("act.kms-dns", ["0x8007232B"]),
        ("act.clock-skew", ["0xC004F06C"]),
        ("act.proxy-auth", ["0x8004FE33"]),
        ("act.key-blocked", ["0xC004C003"]),
        ("act.key-invalid", ["0xC004F050"]),
        ("act.key-edition-mismatch", ["0xC004F069"]),
        ("act.key-limit", ["0xC004C008"]),
        ("act.kms-host-problem", ["0xC004F038"]),
        ("act.license-store-damaged", ["0xC004F012", "0xC004E003"]),
        ("act.hardware-out-of-tolerance", ["0xC004F00F"]),
    ]:
        for code in codes:
            f.append((rule, "positive", f"spp-8198-hr-{code}.xml", spp_8198_event(code)))
        # Real SPP events whose data holds 0xC004F014 for every SKU without a key: not a failure.
        f.append((rule, "negative", "application-spp-events.zip", app_spp))
    f += [
        ("act.kms-unreachable", "positive", "spp-8198-export.csv", spp_8198_csv),
        ("act.no-internet", "positive", "setuperr-moupg.log", moupg_err),
        ("act.no-internet", "positive", "spp-8200-hr-0x80072EE7.xml", spp_8200_event("0x80072EE7")),
        ("act.spp-license-acquisition-failed", "positive", "spp-8200-hr-0x80072EE7.xml", spp_8200_event("0x80072EE7")),
        ("act.spp-license-acquisition-failed", "negative", "application-418-spp-events.zip", app_vmware),
        ("upg.update-errors", "positive", "windowsupdate.zip",
         zipped([("upgrade/WindowsUpdate.log", d.real("winlogs/windowsupdate/findingsanity_Logs_WindowsUpdate.log"))])),
        ("upg.update-errors", "positive", "cbs-wsl-3708-excerpt.log", (fx / "cbs/microsoft-WSL-3708_CBS_excerpt.log").read_bytes()),
        ("upg.update-errors", "negative", "setupact-moupg.log", samsung),
        ("act.no-internet", "negative", "setupact-windeploy.log", windeploy),
        ("act.not-activated", "positive", "slmgr-dlv-notification.txt", slmgr_notif),
        ("act.not-activated", "negative", "slmgr-dli-kms-licensed.txt", slmgr_kms_ok),
        ("act.grace-period", "positive", "slmgr-dli-initial-grace.txt", slmgr_eval),
        ("act.grace-period", "negative", "slmgr-dli-kms-licensed.txt", slmgr_kms_ok),
        ("act.hardware-out-of-tolerance", "negative", "office-SoftwareLicensingProduct.wmi",
         d.real("winlogs/wmic/glpi-agent_office_2016_01-SoftwareLicensingProduct.wmi")),
        ("act.no-oem-marker", "positive", "setupact-de.log", d.real("winlogs/setup/bitbtrust_Errorcode_setupact.log")),
        ("act.no-oem-marker", "negative", "setupact-moupg.log", samsung),
        ("upg.setup-failed", "positive", "setupact-moupg.log", samsung),
        ("upg.setup-failed", "negative", "setuperr-moupg-no-failure.log", moupg_err),
        ("upg.setup-failed", "negative", "setupact-windeploy.log", windeploy),
        ("upg.driver", "positive", "setuperr-rollback-0xC1900101.log",
         (fx / "setup/constructed_setuperr_rollback_0xC1900101-0x20017.log").read_bytes()),
        ("upg.driver", "negative", "setupact-moupg.log", samsung),
        ("upg.cancelled", "positive", "setupact-moupg.log", samsung),
        ("upg.cancelled", "negative", "setupact-windeploy.log", windeploy),
        ("upg.servicing", "positive", "cbs-wsl-3708-excerpt.log", (fx / "cbs/microsoft-WSL-3708_CBS_excerpt.log").read_bytes()),
        ("upg.servicing", "negative", "cbs-hofcake-excerpt.log", (fx / "cbs/hofcake_CBS_excerpt.log").read_bytes()),
    ]
    for rule, code in [
        ("upg.app-incompatible", "0xC1900208"),
        ("upg.requirements", "0xC1900200"),
        ("upg.disk-space", "0x80070070"),
        ("upg.wsus-decrypt", "0xC1800118"),
    ]:
        f.append((rule, "positive", f"setupact-moupg-{code}.log",
                  with_line(samsung, 250, "Result = 0x800704D3", f"Result = {code}")))
        f.append((rule, "negative", "setupact-moupg.log", samsung))
    return f


def write_zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=TS)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)


def main():
    d = Data(args().data)
    out = REPO / "samples"
    out.mkdir(exist_ok=True)
    for name, entries in samples(d):
        write_zip(out / name, entries)
        print("sample", name)
    root = REPO / "rules" / "fixtures"
    for rule_dir in root.glob("*.*"):
        if rule_dir.is_dir():
            shutil.rmtree(rule_dir)
    for rule, kind, name, data in fixtures(d):
        p = root / rule / kind / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    print("fixtures", len(fixtures(d)))


if __name__ == "__main__":
    main()
