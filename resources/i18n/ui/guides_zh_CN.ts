<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
</context>
<context>
    <name>GuideWindow</name>
    <message>
        <source>&amp;Back</source>
        <translation>返回(&amp;B)</translation>
    </message>
    <message>
        <source>The guide {file} cannot be read. Ask the administrator to install Dispensary again: the guides come with it.</source>
        <translation>无法读取指南 {file}。请让管理员重新安装 Dispensary：指南随程序一同安装。</translation>
    </message>
    <message>
        <source>Pharmacist&apos;s guide</source>
        <translation>药师指南</translation>
    </message>
    <message>
        <source>&amp;Administrator&apos;s guide</source>
        <translation>管理员指南(&amp;A)</translation>
    </message>
    <message>
        <source>Administrator&apos;s guide</source>
        <translation>管理员指南</translation>
    </message>
    <message>
        <source>&amp;Pharmacist&apos;s guide</source>
        <translation>药师指南(&amp;P)</translation>
    </message>
    <message>
        <source>{file} is not installed with the program.</source>
        <translation>{file} 未随程序安装。</translation>
    </message>
</context>
</TS>
