package dev.herokuconnect.operator.cli; public class Main { public static void main(String[] a){} }
