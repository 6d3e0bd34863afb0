<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Vocabulary</name>
    <message>
        <source>Available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dispensed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Returned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Destroyed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Returned by participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Destroyed / returned to sponsor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count adjustment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit trail damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Does not balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status differs from ledger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count difference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adherence flag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired in stock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pharmacist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Technician</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monitor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Breakage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Miscount</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On treatment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discontinued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Under-use (missed doses)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Over-use (safety signal)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not brought back (tablets unaccounted for)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Damaged or contaminated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature excursion (sponsor rejected)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recall of the lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Study closed or treatment ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other written instruction of the sponsor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received into quarantine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dispense voided</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Released from quarantine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a reason code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the reason, in a few words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a second person who may verify counts, and their password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a reason to dispense anyway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>who ordered it (the investigator)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
